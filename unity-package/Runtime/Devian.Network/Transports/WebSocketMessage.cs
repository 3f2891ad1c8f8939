using System;
using System.Text;

namespace Devian.Network.Transports
{
    /// <summary>
    /// One whole message from <see cref="IWebSocketClient.ReceiveAsync"/>: its kind and payload. The
    /// payload array is the message's only allocation and belongs to the caller. After the connection
    /// closed, the kind is <see cref="WebSocketMessageKind.Close"/> and the close code and reason are set.
    /// </summary>
    public readonly struct WebSocketMessage
    {
        private static readonly byte[] Empty = new byte[0];
        private readonly byte[] _data;

        internal WebSocketMessage(WebSocketMessageKind kind, byte[] data, ushort closeStatus, string closeReason)
        {
            Kind = kind;
            _data = data;
            CloseStatus = closeStatus;
            CloseReason = closeReason;
        }

        /// <summary>Text, binary, or <see cref="WebSocketMessageKind.Close"/> once the connection is closed.</summary>
        public WebSocketMessageKind Kind { get; }

        /// <summary>The payload (UTF-8 for text); empty for a close.</summary>
        public byte[] Data { get { return _data ?? Empty; } }

        /// <summary>For <see cref="WebSocketMessageKind.Close"/>: the close code (RFC 6455 §7.4; 1006 without a close frame).</summary>
        public ushort CloseStatus { get; }

        /// <summary>For <see cref="WebSocketMessageKind.Close"/>: the close reason.</summary>
        public string CloseReason { get; }

        /// <summary>Whether this marks the end of the connection rather than a message.</summary>
        public bool IsClose { get { return Kind == WebSocketMessageKind.Close; } }

        /// <summary>The payload decoded as UTF-8 (allocates the string).</summary>
        public string Text { get { return Encoding.UTF8.GetString(Data); } }
    }
}
