namespace Devian.Network.Transports
{
    /// <summary>Connection states (seed 000 state machine, seed 002 authenticating/reconnecting).</summary>
    public enum WebSocketState
    {
        /// <summary>Not connected: before <see cref="WebSocketClient.Connect"/>, or after the final close.</summary>
        Closed = 0,
        /// <summary>TCP, TLS and the upgrade handshake (RFC 6455 §4) are under way.</summary>
        Connecting = 1,
        /// <summary>The socket is open and the configured authentication is being completed.</summary>
        Authenticating = 2,
        /// <summary>Open and usable.</summary>
        Open = 3,
        /// <summary>The close handshake (RFC 6455 §7) is under way.</summary>
        Closing = 4,
        /// <summary>The connection dropped; waiting for the next reconnect attempt.</summary>
        Reconnecting = 5,
    }
}
