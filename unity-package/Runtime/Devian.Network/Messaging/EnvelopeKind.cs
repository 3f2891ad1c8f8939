namespace Devian.Network.Messaging
{
    /// <summary>What an envelope of <see cref="WebSocketConnectionManager"/> carries.</summary>
    public enum EnvelopeKind
    {
        /// <summary>Client → server: start delivering a topic.</summary>
        Subscribe = 1,
        /// <summary>Client → server: stop delivering a topic.</summary>
        Unsubscribe = 2,
        /// <summary>Client → server: send data to every subscriber of a topic.</summary>
        Publish = 3,
        /// <summary>Server → client: data published to a subscribed topic.</summary>
        Message = 4,
        /// <summary>Client → server: a request with a correlation id.</summary>
        Request = 5,
        /// <summary>Server → client: the response to the request with the same id.</summary>
        Response = 6,
    }
}
