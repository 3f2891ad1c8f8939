using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// A send was refused because the bounded send queue (or the reconnect buffer) is full.
    /// Nothing was queued; call <see cref="WebSocketClient.Update()"/> and retry later, or raise
    /// <see cref="WebSocketOptions.SendQueueMaxMessages"/>/<see cref="WebSocketOptions.SendQueueMaxBytes"/>.
    /// Derives from <see cref="InvalidOperationException"/> so generic handlers still catch it.
    /// </summary>
    public sealed class WebSocketQueueFullException : InvalidOperationException
    {
        /// <summary>Creates the exception with the native engine's message.</summary>
        public WebSocketQueueFullException(string message) : base(message) { }
    }
}
