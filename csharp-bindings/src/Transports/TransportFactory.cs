namespace Devian.Network.Transports
{
    /// <summary>Chooses the transport for the current platform.</summary>
    internal static class TransportFactory
    {
        /// <summary>The browser WebSocket on WebGL players, the native engine everywhere else.</summary>
        public static IWebSocketTransport CreateDefault()
        {
#if UNITY_WEBGL && !UNITY_EDITOR
            return new WebGLTransport();
#else
            return new NativeTransport();
#endif
        }
    }
}
