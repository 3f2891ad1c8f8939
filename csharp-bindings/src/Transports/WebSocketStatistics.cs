using System;

namespace Devian.Network.Transports
{
    /// <summary>A snapshot of one connection's counters (mirror of the native <c>Stats</c>).</summary>
    public readonly struct WebSocketStatistics
    {
        /// <summary>Creates a snapshot.</summary>
        public WebSocketStatistics(
            long messagesSent, long messagesReceived, long bytesSent, long bytesReceived,
            long reconnects, long lastRoundTripMicroseconds, long sendQueueDepth, long receiveQueueDepth,
            long messagesUnsent = 0)
        {
            MessagesSent = messagesSent;
            MessagesReceived = messagesReceived;
            BytesSent = bytesSent;
            BytesReceived = bytesReceived;
            Reconnects = reconnects;
            LastRoundTripMicroseconds = lastRoundTripMicroseconds;
            SendQueueDepth = sendQueueDepth;
            ReceiveQueueDepth = receiveQueueDepth;
            MessagesUnsent = messagesUnsent;
        }

        /// <summary>Data messages sent.</summary>
        public long MessagesSent { get; }
        /// <summary>Data messages received.</summary>
        public long MessagesReceived { get; }
        /// <summary>Payload bytes sent.</summary>
        public long BytesSent { get; }
        /// <summary>Payload bytes received.</summary>
        public long BytesReceived { get; }
        /// <summary>Successful reconnects.</summary>
        public long Reconnects { get; }
        /// <summary>Round-trip time of the last answered ping in microseconds; 0 when none was answered yet.</summary>
        public long LastRoundTripMicroseconds { get; }
        /// <summary>Round-trip time of the last answered ping; <see cref="TimeSpan.Zero"/> when none yet.</summary>
        public TimeSpan LastRoundTrip { get { return TimeSpan.FromTicks(LastRoundTripMicroseconds * 10); } }
        /// <summary>Messages waiting in the send queue.</summary>
        public long SendQueueDepth { get; }
        /// <summary>Events waiting to be drained by <see cref="WebSocketClient.Update()"/>.</summary>
        public long ReceiveQueueDepth { get; }
        /// <summary>
        /// Messages a send accepted that were never sent: the connection ended for good before they went
        /// out (for example, <see cref="WebSocketClient.Close(ushort, string)"/> flushes the queue first,
        /// within the close timeout). 0 on WebGL, where the browser flushes.
        /// </summary>
        public long MessagesUnsent { get; }

        /// <inheritdoc/>
        public override string ToString()
        {
            return string.Format(
                "sent {0} msgs / {1} B, received {2} msgs / {3} B, reconnects {4}, rtt {5} us, queues send {6} recv {7}, unsent {8}",
                MessagesSent, BytesSent, MessagesReceived, BytesReceived, Reconnects,
                LastRoundTripMicroseconds, SendQueueDepth, ReceiveQueueDepth, MessagesUnsent);
        }
    }
}
