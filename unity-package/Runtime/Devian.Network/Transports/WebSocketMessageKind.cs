using System;

namespace Devian.Network.Transports
{
    /// <summary>Kind of a WebSocket data message (RFC 6455 §5.6).</summary>
    public enum WebSocketMessageKind
    {
        /// <summary>UTF-8 text.</summary>
        Text = 1,

        /// <summary>Binary data (FrameV1 travels as binary).</summary>
        Binary = 2,

        /// <summary>
        /// Not a data message: what <see cref="IWebSocketClient.ReceiveAsync"/> returns once the connection
        /// has closed (<see cref="WebSocketMessage.CloseStatus"/> says how). Never raised through OnMessage.
        /// </summary>
        Close = 8,
    }

    /// <summary>
    /// Receives one whole message inside <see cref="WebSocketClient.Update()"/>. <paramref name="data"/>
    /// points into a pooled buffer that is reused as soon as the handler returns: copy what must outlive
    /// the call (<c>data.ToArray()</c>, or <c>Encoding.UTF8.GetString</c> for text).
    /// </summary>
    /// <param name="data">The payload (UTF-8 for <see cref="WebSocketMessageKind.Text"/>).</param>
    /// <param name="kind">Text or binary.</param>
    public delegate void WebSocketMessageHandler(ReadOnlySpan<byte> data, WebSocketMessageKind kind);

    /// <summary>Looks at a received message before it is delivered; true claims it.</summary>
    internal delegate bool MessageInterceptor(ReadOnlySpan<byte> data, WebSocketMessageKind kind);
}
