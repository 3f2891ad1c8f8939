namespace Devian.Network.Transports
{
    /// <summary>Chooses the transport for the current platform.</summary>
    internal static class TransportFactory
    {
        /// <summary>
        /// The <c>dws_*</c> C ABI everywhere: the native engine, or on WebGL players the same functions
        /// implemented by <c>devian-ws.jslib</c> over the browser's WebSocket.
        /// </summary>
        public static IWebSocketTransport CreateDefault()
        {
            return new NativeTransport();
        }
    }
}
