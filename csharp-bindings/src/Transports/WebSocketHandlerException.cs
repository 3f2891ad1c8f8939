using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// An exception thrown by one of the application's own event handlers (OnOpen, OnClose,
    /// OnReconnecting, ...), caught by <see cref="WebSocketClient.Update()"/> and reported through
    /// <see cref="WebSocketClient.OnError"/>; the original is the <see cref="Exception.InnerException"/>.
    /// </summary>
    public sealed class WebSocketHandlerException : Exception
    {
        /// <summary>Wraps the handler's exception.</summary>
        public WebSocketHandlerException(Exception inner)
            : base("an event handler threw: " + inner.Message, inner)
        {
        }
    }
}
