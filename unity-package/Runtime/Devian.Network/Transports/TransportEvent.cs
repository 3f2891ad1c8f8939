using System;

namespace Devian.Network.Transports
{
    /// <summary>What a <see cref="TransportEvent"/> reports. Values match the native <c>DwsEvent.kind</c>.</summary>
    internal enum TransportEventKind
    {
        /// <summary>Not an event (default value).</summary>
        None = 0,
        /// <summary>The handshake completed; <see cref="TransportEvent.Data"/> holds the agreed sub-protocol (UTF-8, may be empty).</summary>
        Open = 1,
        /// <summary>A complete data message; <see cref="TransportEvent.Data"/> holds its payload.</summary>
        Message = 2,
        /// <summary>The close handshake started.</summary>
        Closing = 3,
        /// <summary>The connection is finally closed; code, clean flag and reason (UTF-8 in Data) are set.</summary>
        Closed = 4,
        /// <summary>An error; <see cref="TransportEvent.ErrorKind"/> and the UTF-8 text in Data describe it.</summary>
        Error = 5,
        /// <summary>The connection dropped and a reconnect attempt is scheduled (attempt, delay).</summary>
        Reconnecting = 6,
        /// <summary>A reconnect attempt succeeded.</summary>
        Reconnected = 7,
        /// <summary>Authentication completed.</summary>
        Authenticated = 8,
    }

    /// <summary>Kind of a data message (RFC 6455 §5.6). Values match the native <c>message_kind</c>.</summary>
    internal enum TransportMessageKind
    {
        /// <summary>Not a message.</summary>
        None = 0,
        /// <summary>Text (UTF-8) message.</summary>
        Text = 1,
        /// <summary>Binary message (FrameV1 travels as binary).</summary>
        Binary = 2,
    }

    /// <summary>
    /// One event drained from a transport by <see cref="IWebSocketTransport.Poll"/>.
    /// <see cref="Data"/> points into memory owned by the transport (a pooled native buffer, or a
    /// pinned managed buffer on WebGL); it stays valid until <see cref="IWebSocketTransport.ReleaseEvent"/>
    /// or the next <see cref="IWebSocketTransport.Poll"/>, whichever comes first.
    /// </summary>
    internal struct TransportEvent
    {
        /// <summary>What happened.</summary>
        public TransportEventKind Kind;
        /// <summary>For <see cref="TransportEventKind.Message"/>: text or binary.</summary>
        public TransportMessageKind MessageKind;
        /// <summary>Start of the event's bytes (payload or UTF-8 text); may be zero when <see cref="Length"/> is 0.</summary>
        public IntPtr Data;
        /// <summary>Number of bytes at <see cref="Data"/>.</summary>
        public int Length;
        /// <summary>Close code (RFC 6455 §7.4) for <see cref="TransportEventKind.Closed"/>.</summary>
        public ushort Code;
        /// <summary>Whether the close handshake completed (RFC 6455 §7.1.4 "cleanly").</summary>
        public bool WasClean;
        /// <summary>Native error category for <see cref="TransportEventKind.Error"/>.</summary>
        public int ErrorKind;
        /// <summary>Reconnect attempt number (1-based).</summary>
        public int Attempt;
        /// <summary>Delay before that reconnect attempt, milliseconds.</summary>
        public int DelayMs;
        /// <summary>For <see cref="TransportEventKind.Closed"/>: messages accepted that were never sent.</summary>
        public long Unsent;
    }
}
