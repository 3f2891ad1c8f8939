using System;

namespace Devian.Network.Messaging
{
    /// <summary>A snapshot of <see cref="WebSocketConnectionManager"/>'s counters (seed 002's list).</summary>
    public readonly struct ConnectionManagerStatistics
    {
        internal ConnectionManagerStatistics(long messagesIn, long messagesOut, long bytesIn, long bytesOut,
            TimeSpan lastLatency, TimeSpan averageLatency, TimeSpan p50, TimeSpan p99,
            long reconnects, int pendingRequests, int subscriptions, long unhandledTopicMessages)
        {
            MessagesIn = messagesIn;
            MessagesOut = messagesOut;
            BytesIn = bytesIn;
            BytesOut = bytesOut;
            LastLatency = lastLatency;
            AverageLatency = averageLatency;
            LatencyP50 = p50;
            LatencyP99 = p99;
            Reconnects = reconnects;
            PendingRequests = pendingRequests;
            Subscriptions = subscriptions;
            UnhandledTopicMessages = unhandledTopicMessages;
        }

        /// <summary>Envelopes received (topic messages and responses).</summary>
        public long MessagesIn { get; }
        /// <summary>Envelopes sent (subscriptions, publishes, requests).</summary>
        public long MessagesOut { get; }
        /// <summary>Bytes of the envelopes received.</summary>
        public long BytesIn { get; }
        /// <summary>Bytes of the envelopes sent.</summary>
        public long BytesOut { get; }
        /// <summary>Round trip of the latest answered request.</summary>
        public TimeSpan LastLatency { get; }
        /// <summary>Mean round trip over the latency window (the last 256 answered requests).</summary>
        public TimeSpan AverageLatency { get; }
        /// <summary>Median round trip over the window.</summary>
        public TimeSpan LatencyP50 { get; }
        /// <summary>99th-percentile round trip over the window.</summary>
        public TimeSpan LatencyP99 { get; }
        /// <summary>Reconnects of the underlying client.</summary>
        public long Reconnects { get; }
        /// <summary>Requests waiting for their response.</summary>
        public int PendingRequests { get; }
        /// <summary>Topics subscribed to.</summary>
        public int Subscriptions { get; }
        /// <summary>Topic messages that arrived for a topic with no handler.</summary>
        public long UnhandledTopicMessages { get; }
    }
}
