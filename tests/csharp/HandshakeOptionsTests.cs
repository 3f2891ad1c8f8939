using System;
using System.Collections.Generic;
using System.Text;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// Options that shape the opening handshake (RFC 6455 §4.1) and authentication (seed 002), checked
    /// from the server side: the Python peer reports the request it received as a FrameV1 message.
    /// </summary>
    internal static class HandshakeOptionsTests
    {
        private const int ReportOpcode = -1000;
        private const int TextOpcode = -1001;
        private const int EchoOpcode = 7;

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("e2e", "E2E.Python.QueryAuthHeadersAndOriginReachTheServer", QueryAuthHeadersAndOrigin));
            tests.Add(new TestCase("e2e", "E2E.Python.HeaderAuthReachesTheServer", HeaderAuth));
            tests.Add(new TestCase("e2e", "E2E.Python.SubProtocolAuthIsOfferedAlongsideTheProtocol", SubProtocolAuth));
            tests.Add(new TestCase("e2e", "E2E.Python.FirstMessageAuthIsSentFirst", FirstMessageAuth));
            tests.Add(new TestCase("e2e", "E2E.Python.PerMessageDeflateIsNegotiatedAndRoundTrips", PerMessageDeflate));
        }

        /// <summary>Keeps the peer's report and the text it bounced back.</summary>
        private sealed class ReportRuntime : INetRuntime
        {
            public string Report;
            public readonly List<string> Texts = new List<string>();
            public readonly List<string> Echoes = new List<string>();

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                if (opcode == ReportOpcode)
                {
                    Report = Utf8(payload);
                    return true;
                }
                if (opcode == TextOpcode)
                {
                    Texts.Add(Utf8(payload));
                    return true;
                }
                if (opcode == EchoOpcode)
                {
                    Echoes.Add(Utf8(payload));
                    return true;
                }
                return false;
            }

            private static unsafe string Utf8(ReadOnlySpan<byte> bytes)
            {
                fixed (byte* p = bytes)
                {
                    return bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(p, bytes.Length);
                }
            }
        }

        /// <summary>Connects with <paramref name="options"/>, waits for the report and OnAuthenticated, closes.</summary>
        private static ReportRuntime Run(WebSocketOptions options, Action<WebSocketClient, ReportRuntime> check)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Python, port, "devian.v1", true))
            {
                var runtime = new ReportRuntime();
                var client = new WebSocketClient(new NetworkClient(runtime), options);
                int authenticated = 0;
                int closes = 0;
                client.OnAuthenticated += () => authenticated++;
                client.OnClose += (code, reason) => closes++;
                try
                {
                    client.Connect("ws://127.0.0.1:" + port + "/game/lobby", new[] { "devian.v1" });
                    int expectAuthenticated = options.Authentication.Method == WebSocketAuthenticationMethod.None ? 0 : 1;
                    EndToEndTests.PumpUntil(client, () => runtime.Report != null && authenticated == expectAuthenticated, 10000, "handshake report and OnAuthenticated");
                    check(client, runtime);
                    client.Close();
                    EndToEndTests.PumpUntil(client, () => closes == 1, 10000, "OnClose");
                }
                finally
                {
                    client.Dispose();
                }
                return runtime;
            }
        }

        private static void Contains(string haystack, string needle, string what)
        {
            Check.True(haystack.Contains(needle), what + ": expected to find " + needle + " in " + haystack);
        }

        private static void QueryAuthHeadersAndOrigin()
        {
            var options = new WebSocketOptions
            {
                Authentication = WebSocketAuthentication.QueryParameter("token", "s3cret"),
                Origin = "https://game.example",
            };
            options.AddHeader("X-Game", "devian");
            Run(options, (client, runtime) =>
            {
                Contains(runtime.Report, "\"path\": \"/game/lobby?token=s3cret\"", "query parameter appended to the path");
                Contains(runtime.Report, "[\"x-game\", \"devian\"]", "custom header");
                Contains(runtime.Report, "[\"origin\", \"https://game.example\"]", "Origin header (RFC 6455 §4.1 item 8)");
                Contains(runtime.Report, "\"subprotocol\": \"devian.v1\"", "sub-protocol chosen by the server");
                Check.Equal("devian.v1", client.Protocol, "Protocol seen by the client");
            });
        }

        private static void HeaderAuth()
        {
            var options = new WebSocketOptions { Authentication = WebSocketAuthentication.Header("Authorization", "Bearer abc.def") };
            Run(options, (client, runtime) => Contains(runtime.Report, "[\"authorization\", \"Bearer abc.def\"]", "Authorization header"));
        }

        private static void SubProtocolAuth()
        {
            var options = new WebSocketOptions { Authentication = WebSocketAuthentication.SubProtocol("tok123") };
            Run(options, (client, runtime) =>
            {
                // RFC 6455 §4.1: Sec-WebSocket-Protocol lists every offered value; the server still picks devian.v1.
                Check.True(runtime.Report.Contains("tok123") && runtime.Report.Contains("\"sec-websocket-protocol\""), "token offered as a sub-protocol: " + runtime.Report);
                Check.Equal("devian.v1", client.Protocol, "the real protocol is still chosen");
            });
        }

        private static void FirstMessageAuth()
        {
            var options = new WebSocketOptions
            {
                Authentication = WebSocketAuthentication.FirstMessage("{\"type\":\"{{type}}\",\"token\":\"{{token}}\"}", "abc", "login"),
            };
            ReportRuntime runtime = Run(options, (client, r) =>
            {
                client.SendFrame(1, new byte[] { 1 });
                EndToEndTests.PumpUntil(client, () => r.Texts.Count >= 1 && client.Core.UnhandledCount >= 1, 10000, "the auth message and the frame echoed");
            });
            Check.Equal("{\"type\":\"login\",\"token\":\"abc\"}", runtime.Texts[0], "rendered first message, sent before the queued frame");
        }

        /// <summary>RFC 7692: the offer reaches the server, it agrees, and compressed text round-trips intact.</summary>
        private static void PerMessageDeflate()
        {
            var options = new WebSocketOptions { PerMessageDeflate = true };
            Run(options, (client, runtime) =>
            {
                Contains(runtime.Report, "\"extensions\": [\"permessage-deflate\"]", "permessage-deflate negotiated (RFC 7692 §5)");
                // Large compressible frames and small ones, echoed back as sent.
                string big = new string('x', 100000) + "end";
                for (int i = 0; i < 50; i++)
                {
                    client.SendFrame(EchoOpcode, Encoding.UTF8.GetBytes(i % 2 == 0 ? big : "short " + i));
                }
                EndToEndTests.PumpUntil(client, () => runtime.Echoes.Count >= 50, 20000, "50 compressed frames echoed");
                for (int i = 0; i < 50; i++)
                {
                    Check.Equal(i % 2 == 0 ? big : "short " + i, runtime.Echoes[i], "frame " + i + " intact after inflate");
                }
            });
        }
    }
}
