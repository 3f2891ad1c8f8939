using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// What a WebGL player's transport (the <c>dws_*</c> functions of <c>devian-ws.jslib</c>, over the
    /// browser's WebSocket) cannot honour, refused at Connect with the reason and the alternative,
    /// before anything is created. The .jslib refuses the same calls with <c>InvalidArgument</c>; this
    /// gives the C# user an exception that names the option instead.
    /// </summary>
    /// <remarks>
    /// Refused: request headers (also header authentication), an Origin, custom TLS roots, pins or
    /// disabled verification, client pings (a changed <see cref="WebSocketOptions.PingInterval"/>; the
    /// browser still answers the server's pings), an idle timeout, changed frame/message size limits or
    /// receive-queue bounds (the browser accepts every message whole and cannot pause reading), proxies,
    /// at-least-once delivery and changed reconnect stability timings. The connect and close timeouts are
    /// the browser's own. <see cref="WebSocketOptions.PerMessageDeflate"/> is accepted and ignored:
    /// browsers offer permessage-deflate on their own. Compiled on every platform so it is tested
    /// everywhere; only WebGL players call it.
    /// </remarks>
    internal static class WebGLLimits
    {
        // The default ping interval counts as "not asked for": browsers cannot send pings.
        private static readonly WebSocketOptions Defaults = new WebSocketOptions();

        /// <summary>Throws <see cref="NotSupportedException"/> for the first option a browser cannot honour.</summary>
        public static void ThrowIfUnsupported(WebSocketOptions o)
        {
            const string Hint = " cannot be used on WebGL: the browser's WebSocket API does not allow it";
            if (o.Headers.Count > 0)
            {
                throw new NotSupportedException("custom request headers (" + o.Headers[0].Key + ")" + Hint +
                    "; use query-parameter, first-message or sub-protocol authentication");
            }
            WebSocketAuthentication auth = o.Authentication ?? WebSocketAuthentication.None;
            if (auth.Method == WebSocketAuthenticationMethod.Header)
            {
                throw new NotSupportedException("header authentication (" + auth.Name + ")" + Hint +
                    "; use query-parameter, first-message or sub-protocol authentication");
            }
            if (o.Origin != null)
            {
                throw new NotSupportedException("a custom Origin" + Hint + " (the browser sends the page's origin)");
            }
            WebSocketTlsOptions tls = o.Tls;
            if (tls != null && (tls.RootCertificatesPem.Count > 0 || tls.PinnedSha256.Count > 0 || tls.DangerousAcceptAnyCertificate))
            {
                throw new NotSupportedException("custom TLS roots, certificate pins or disabled verification" + Hint +
                    " (the browser verifies wss:// certificates against its own trust store)");
            }
            if (o.PingInterval != TimeSpan.Zero && o.PingInterval != Defaults.PingInterval)
            {
                throw new NotSupportedException("client pings (PingInterval)" + Hint +
                    " (the browser answers the server's pings; set PingInterval to zero or keep the default)");
            }
            if (o.IdleTimeout != TimeSpan.Zero)
            {
                throw new NotSupportedException("IdleTimeout" + Hint + " to observe; use an application-level heartbeat");
            }
            // The browser receives whole messages of any size and cannot be made to stop reading,
            // so these receive-side bounds could only be pretended; keep the defaults on WebGL.
            if (o.MaxFrameSize != Defaults.MaxFrameSize || o.MaxMessageSize != Defaults.MaxMessageSize)
            {
                throw new NotSupportedException("MaxFrameSize/MaxMessageSize" + Hint +
                    " (the browser accepts every message whole); keep the defaults in WebGL builds");
            }
            if (!string.IsNullOrEmpty(o.Proxy) || o.ProxyFromEnvironment)
            {
                throw new NotSupportedException("a proxy" + Hint + " (the browser uses the system's proxy settings)");
            }
            if (o.Delivery != WebSocketDelivery.AtMostOnce)
            {
                throw new NotSupportedException("Delivery.AtLeastOnce" + Hint +
                    " (it needs client pings to confirm delivery, which the browser cannot send)");
            }
            WebSocketReconnectPolicy r = o.Reconnect ?? Defaults.Reconnect;
            if (r.StableAfter != Defaults.Reconnect.StableAfter || r.TryAgainLaterDelay != Defaults.Reconnect.TryAgainLaterDelay)
            {
                throw new NotSupportedException("Reconnect.StableAfter/TryAgainLaterDelay cannot be changed on WebGL " +
                    "yet: the WebGL module applies the defaults (5 s each)");
            }
            if (o.ReceiveQueueMaxMessages != Defaults.ReceiveQueueMaxMessages || o.ReceiveQueueMaxBytes != Defaults.ReceiveQueueMaxBytes)
            {
                throw new NotSupportedException("ReceiveQueueMaxMessages/ReceiveQueueMaxBytes" + Hint +
                    " (the browser cannot pause reading); keep the defaults in WebGL builds");
            }
        }
    }
}
