using System;
using System.Collections.Generic;

namespace Devian.Network.Transports
{
    /// <summary>
    /// Everything a <see cref="WebSocketClient"/> connection is configured with. Read once at
    /// <see cref="WebSocketClient.Connect"/>; later changes affect only the next Connect.
    /// Times of <see cref="TimeSpan.Zero"/> disable the feature where noted.
    /// </summary>
    public sealed class WebSocketOptions
    {
        private readonly List<KeyValuePair<string, string>> _headers = new List<KeyValuePair<string, string>>();

        /// <summary>Send a ping this often (RFC 6455 §5.5.2); zero disables keep-alive pings.</summary>
        public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>A ping unanswered this long declares the connection dead (closed with 1006).</summary>
        public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Close when nothing at all is received this long; zero disables.</summary>
        public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

        /// <summary>Bound on TCP connect + TLS + upgrade handshake.</summary>
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Bound on the close handshake (RFC 6455 §7.1.1) before the socket is dropped.</summary>
        public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Largest accepted single frame payload; larger frames close with 1009 (RFC 6455 §7.4.1).</summary>
        public long MaxFrameSize { get; set; } = 16L * 1024 * 1024;

        /// <summary>Largest accepted reassembled message; larger messages close with 1009.</summary>
        public long MaxMessageSize { get; set; } = 64L * 1024 * 1024;

        /// <summary>Bound on queued outgoing messages; beyond it sends throw <see cref="WebSocketQueueFullException"/>.</summary>
        public int SendQueueMaxMessages { get; set; } = 4096;

        /// <summary>Bound on queued outgoing bytes.</summary>
        public long SendQueueMaxBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>Bound on received messages not yet drained by <see cref="WebSocketClient.Update()"/>; when full the engine stops reading (TCP back-pressure).</summary>
        public int ReceiveQueueMaxMessages { get; set; } = 4096;

        /// <summary>Bound on received bytes not yet drained.</summary>
        public long ReceiveQueueMaxBytes { get; set; } = 64L * 1024 * 1024;

        /// <summary>
        /// Offer permessage-deflate (RFC 7692): when the server agrees, messages are compressed both ways
        /// (inflated messages still obey <see cref="MaxMessageSize"/>, closing with 1009). Off by default,
        /// which keeps the native zero-copy send path. On WebGL the browser negotiates compression itself,
        /// so this setting has no effect there.
        /// </summary>
        public bool PerMessageDeflate { get; set; }

        /// <summary>
        /// Whether a lost connection may lose sent messages (<see cref="WebSocketDelivery.AtMostOnce"/>, the
        /// default) or they are kept until the server confirms them and sent again after a reconnect.
        /// </summary>
        public WebSocketDelivery Delivery { get; set; } = WebSocketDelivery.AtMostOnce;

        /// <summary>
        /// Proxy to connect through: <c>http://[user:pass@]host:port</c> (HTTP CONNECT, Basic auth),
        /// <c>https://</c> (the same over TLS to the proxy, whose certificate is checked against the
        /// same roots as the server's, <see cref="WebSocketTlsOptions.RootCertificatesPem"/> included, not the pins),
        /// <c>socks5://</c> (the server's name resolved here) or <c>socks5h://</c> (resolved by the proxy);
        /// user and password percent-encoded. Null (the default) connects directly. Reconnects and
        /// keep-alive go through the same proxy. Not available on WebGL: the browser picks the proxy.
        /// The credentials never appear in errors or logs.
        /// </summary>
        public string Proxy { get; set; }

        /// <summary>
        /// Use the proxy the environment names, read at each (re)connect: <c>HTTPS_PROXY</c> for
        /// <c>wss://</c>, <c>HTTP_PROXY</c> for <c>ws://</c> (lower-case names too), else <c>ALL_PROXY</c>;
        /// none when <c>NO_PROXY</c> lists the host. Off by default; cannot be combined with <see cref="Proxy"/>.
        /// </summary>
        public bool ProxyFromEnvironment { get; set; }

        /// <summary>Automatic reconnection.</summary>
        public WebSocketReconnectPolicy Reconnect { get; set; } = new WebSocketReconnectPolicy();

        /// <summary>Authentication method; <see cref="WebSocketAuthentication.None"/> by default.</summary>
        public WebSocketAuthentication Authentication { get; set; } = WebSocketAuthentication.None;

        /// <summary>TLS verification for <c>wss://</c>.</summary>
        public WebSocketTlsOptions Tls { get; set; } = new WebSocketTlsOptions();

        /// <summary>Value of the Origin request header (RFC 6455 §4.1 item 8); null sends none.</summary>
        public string Origin { get; set; }

        /// <summary>Extra request headers, in order (not available on WebGL: browsers do not allow them).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get { return _headers; } }

        /// <summary>
        /// Checks the values before they reach the engine, so a bad setting fails at Connect with the
        /// property's name instead of as an obscure engine error.
        /// </summary>
        /// <exception cref="ArgumentException">A value is out of range.</exception>
        public void Validate()
        {
            NonNegative(PingInterval, "PingInterval");
            NonNegative(PongTimeout, "PongTimeout");
            NonNegative(IdleTimeout, "IdleTimeout");
            Positive(ConnectTimeout, "ConnectTimeout");
            Positive(CloseTimeout, "CloseTimeout");
            Positive(MaxFrameSize, "MaxFrameSize");
            Positive(MaxMessageSize, "MaxMessageSize");
            Positive(SendQueueMaxMessages, "SendQueueMaxMessages");
            Positive(SendQueueMaxBytes, "SendQueueMaxBytes");
            Positive(ReceiveQueueMaxMessages, "ReceiveQueueMaxMessages");
            Positive(ReceiveQueueMaxBytes, "ReceiveQueueMaxBytes");
            if (Reconnect == null || Authentication == null || Tls == null)
            {
                throw new ArgumentException("Reconnect, Authentication and Tls must not be null (use the defaults instead)");
            }
            if (Reconnect.MaxAttempts < 0)
            {
                throw new ArgumentException("must be 0 (unlimited) or more", "Reconnect.MaxAttempts");
            }
            NonNegative(Reconnect.InitialDelay, "Reconnect.InitialDelay");
            NonNegative(Reconnect.MaxDelay, "Reconnect.MaxDelay");
            NonNegative(Reconnect.StableAfter, "Reconnect.StableAfter");
            NonNegative(Reconnect.TryAgainLaterDelay, "Reconnect.TryAgainLaterDelay");
            if (Reconnect.MaxDelay < Reconnect.InitialDelay)
            {
                throw new ArgumentException("must not be shorter than Reconnect.InitialDelay", "Reconnect.MaxDelay");
            }
            if (!(Reconnect.Multiplier >= 1.0) || double.IsInfinity(Reconnect.Multiplier))
            {
                throw new ArgumentException("must be a finite number of at least 1.0", "Reconnect.Multiplier");
            }
            if (!string.IsNullOrEmpty(Proxy) && ProxyFromEnvironment)
            {
                throw new ArgumentException("set either Proxy or ProxyFromEnvironment, not both", "Proxy");
            }
            if (Delivery != WebSocketDelivery.AtMostOnce && Delivery != WebSocketDelivery.AtLeastOnce)
            {
                throw new ArgumentException("must be AtMostOnce or AtLeastOnce", "Delivery");
            }
            if (Delivery == WebSocketDelivery.AtLeastOnce && !Reconnect.BufferWhileReconnecting)
            {
                throw new ArgumentException("AtLeastOnce needs Reconnect.BufferWhileReconnecting (its bounds limit the unconfirmed window)", "Delivery");
            }
            if (Reconnect.BufferWhileReconnecting)
            {
                Positive(Reconnect.BufferMaxMessages, "Reconnect.BufferMaxMessages");
                Positive(Reconnect.BufferMaxBytes, "Reconnect.BufferMaxBytes");
            }
        }

        private static void NonNegative(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentException("must not be negative", name);
            }
        }

        private static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException("must be positive", name);
            }
        }

        private static void Positive(long value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException("must be positive", name);
            }
        }

        /// <summary>
        /// Adds a request header. The name must be an HTTP token and the value must not contain CR or LF
        /// (no header injection); the engine rejects anything else at Connect with an <see cref="ArgumentException"/>.
        /// </summary>
        public WebSocketOptions AddHeader(string name, string value)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentException("header name must not be empty", "name");
            }
            _headers.Add(new KeyValuePair<string, string>(name, value ?? string.Empty));
            return this;
        }
    }
}
