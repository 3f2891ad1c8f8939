namespace Devian.Network.Transports
{
    /// <summary>
    /// What a lost connection may do to messages that <see cref="WebSocketClient"/> sends accepted.
    /// </summary>
    public enum WebSocketDelivery
    {
        /// <summary>
        /// A message counts as sent once written to the socket. If the connection drops, what the
        /// operating system had taken but the server never read is lost without notice. No extra traffic.
        /// </summary>
        AtMostOnce = 0,

        /// <summary>
        /// A message counts as sent once the server answered a ping written after it (one ping per round
        /// trip while data flows). Until then it is kept, and after a reconnect it is sent again: the server
        /// may see a message twice but misses none. Without a reconnect, <c>OnClose</c> counts the
        /// unconfirmed messages as unsent. Needs <see cref="WebSocketReconnectPolicy.BufferWhileReconnecting"/>
        /// (its bounds limit the unconfirmed window). Not available on WebGL: the browser cannot send pings.
        /// </summary>
        AtLeastOnce = 1,
    }
}
