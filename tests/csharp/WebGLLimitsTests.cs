using System;
using System.Collections.Generic;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// <see cref="WebGLLimits"/>: every option a browser cannot honour is refused by name with a
    /// NotSupportedException that says WebGL, and the defaults pass. (The WebGL player calls it from
    /// NativeTransport.Connect; the .jslib's own refusals are tested in Chromium by tests/webgl.)
    /// </summary>
    internal static class WebGLLimitsTests
    {
        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("unit", "WebGLLimits.BrowserImpossibleOptionsThrowNotSupported", Unsupported));
            tests.Add(new TestCase("unit", "WebGLLimits.DefaultsAndZeroPingPass", Defaults));
        }

        private static void Expect(WebSocketOptions o, string what)
        {
            var e = Check.Throws<NotSupportedException>(() => WebGLLimits.ThrowIfUnsupported(o), what);
            Check.True(e.Message.Contains("WebGL"), what + ": message '" + e.Message + "'");
        }

        private static void Unsupported()
        {
            Expect(new WebSocketOptions().AddHeader("X-Key", "v"), "header");
            Expect(new WebSocketOptions { Authentication = WebSocketAuthentication.Header("Authorization", "Bearer t") }, "header auth");
            var tls = new WebSocketOptions();
            tls.Tls.DangerousAcceptAnyCertificate = true;
            Expect(tls, "tls");
            Expect(new WebSocketOptions { PingInterval = TimeSpan.FromSeconds(5) }, "ping");
            Expect(new WebSocketOptions { IdleTimeout = TimeSpan.FromSeconds(5) }, "idle timeout");
            Expect(new WebSocketOptions { Origin = "https://x" }, "origin");
            Expect(new WebSocketOptions { MaxMessageSize = 1 << 20 }, "max message size");
            Expect(new WebSocketOptions { MaxFrameSize = 1 << 20 }, "max frame size");
            Expect(new WebSocketOptions { ReceiveQueueMaxMessages = 16 }, "receive queue messages");
            Expect(new WebSocketOptions { ReceiveQueueMaxBytes = 1 << 20 }, "receive queue bytes");
            Expect(new WebSocketOptions { Delivery = WebSocketDelivery.AtLeastOnce }, "at-least-once delivery");
            Expect(new WebSocketOptions { Proxy = "http://127.0.0.1:3128" }, "proxy");
            Expect(new WebSocketOptions { ProxyFromEnvironment = true }, "proxy from the environment");
            var stable = new WebSocketOptions();
            stable.Reconnect.StableAfter = TimeSpan.FromSeconds(1);
            Expect(stable, "reconnect stable-after");
        }

        private static void Defaults()
        {
            Check.NoThrow(() => WebGLLimits.ThrowIfUnsupported(new WebSocketOptions()), "defaults");
            Check.NoThrow(() => WebGLLimits.ThrowIfUnsupported(new WebSocketOptions { PingInterval = TimeSpan.Zero }), "no pings");
            Check.NoThrow(() => WebGLLimits.ThrowIfUnsupported(new WebSocketOptions { PerMessageDeflate = true }), "deflate (the browser's own)");
        }
    }
}
