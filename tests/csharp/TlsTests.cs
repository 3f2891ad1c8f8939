using System;
using System.Collections.Generic;
using System.IO;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// <c>wss://</c> against the Rust echo server with a throwaway CA (peers/make_cert.py): extra trusted
    /// roots, certificate pinning, the default (web PKI) trust that must reject a private CA, and the
    /// loudly named development switch.
    /// </summary>
    internal static class TlsTests
    {
        private static string _pkiDir;

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("e2e", "E2E.Tls.TrustedRootConnectsAndEchoes", TrustedRootConnects));
            tests.Add(new TestCase("e2e", "E2E.Tls.UnknownCaIsRejectedByDefault", UnknownCaIsRejected));
            tests.Add(new TestCase("e2e", "E2E.Tls.MatchingPinConnectsWrongPinIsRejected", Pinning));
            tests.Add(new TestCase("e2e", "E2E.Tls.DangerousAcceptAnyCertificateConnects", DangerousMode));
        }

        /// <summary>Deletes the test PKI, if one was generated.</summary>
        public static void Cleanup()
        {
            if (_pkiDir != null && Directory.Exists(_pkiDir))
            {
                Directory.Delete(_pkiDir, true);
            }
            _pkiDir = null;
        }

        /// <summary>The test PKI, generated once per run into a fresh temporary folder: ca.pem, and
        /// server.pem / server.key for 127.0.0.1 and localhost.</summary>
        internal static string Pki
        {
            get
            {
                if (_pkiDir == null)
                {
                    string dir = Path.Combine(Path.GetTempPath(), "devian-tls-" + Guid.NewGuid().ToString("N"));
                    PeerProcess.RunPythonScript("make_cert.py", "\"" + dir + "\"");
                    _pkiDir = dir;
                }
                return _pkiDir;
            }
        }

        private static byte[] Sha256Pin()
        {
            string hex = File.ReadAllText(Path.Combine(Pki, "server.sha256")).Trim();
            var pin = new byte[32];
            for (int i = 0; i < 32; i++)
            {
                pin[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            }
            return pin;
        }

        private sealed class EchoCounter : INetRuntime
        {
            public int Count;

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                if (opcode == 11 && payload.Length == 3 && payload[2] == 3)
                {
                    Count++;
                }
                return true;
            }
        }

        /// <summary>Connects with <paramref name="tls"/>; returns true if it opened (and echoed), false if it closed without opening.</summary>
        private static bool Connect(WebSocketTlsOptions tls, out string failure)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.StartRustTls(port, Path.Combine(Pki, "server.pem"), Path.Combine(Pki, "server.key")))
            {
                var runtime = new EchoCounter();
                var options = new WebSocketOptions { Tls = tls, ConnectTimeout = TimeSpan.FromSeconds(5) };
                var client = new WebSocketClient(new NetworkClient(runtime), options);
                int opens = 0;
                int closes = 0;
                var errors = new List<string>();
                client.OnOpen += () => opens++;
                client.OnClose += (code, reason) => closes++;
                client.OnError += e => errors.Add(e.Message);
                try
                {
                    client.Connect("wss://127.0.0.1:" + port + "/");
                    EndToEndTests.PumpUntil(client, () => opens == 1 || closes == 1, 15000, "open or close");
                    if (opens == 0)
                    {
                        failure = string.Join("; ", errors);
                        return false;
                    }
                    client.SendFrame(11, new byte[] { 1, 2, 3 });
                    EndToEndTests.PumpUntil(client, () => runtime.Count == 1, 10000, "echo over TLS");
                    client.Close();
                    EndToEndTests.PumpUntil(client, () => closes == 1, 10000, "OnClose");
                    failure = null;
                    return true;
                }
                finally
                {
                    client.Dispose();
                }
            }
        }

        private static void TrustedRootConnects()
        {
            var tls = new WebSocketTlsOptions().AddRootCertificatePem(File.ReadAllBytes(Path.Combine(Pki, "ca.pem")));
            string failure;
            Check.True(Connect(tls, out failure), "connects when the CA is trusted: " + failure);
        }

        private static void UnknownCaIsRejected()
        {
            string failure;
            Check.True(!Connect(new WebSocketTlsOptions(), out failure), "a private CA is not trusted by default");
            Check.True(failure.IndexOf("certificate", StringComparison.OrdinalIgnoreCase) >= 0 || failure.IndexOf("issuer", StringComparison.OrdinalIgnoreCase) >= 0,
                "OnError explains the certificate failure: " + failure);
        }

        private static void Pinning()
        {
            byte[] ca = File.ReadAllBytes(Path.Combine(Pki, "ca.pem"));
            string failure;
            var right = new WebSocketTlsOptions().AddRootCertificatePem(ca).AddPinSha256(Sha256Pin());
            Check.True(Connect(right, out failure), "matching pin connects: " + failure);

            byte[] wrongPin = Sha256Pin();
            wrongPin[0] ^= 0xFF;
            var wrong = new WebSocketTlsOptions().AddRootCertificatePem(ca).AddPinSha256(wrongPin);
            Check.True(!Connect(wrong, out failure), "a certificate matching no pin is rejected even though its CA is trusted");
            Check.True(failure.IndexOf("pin", StringComparison.OrdinalIgnoreCase) >= 0, "OnError names the pin: " + failure);
        }

        private static void DangerousMode()
        {
            var tls = new WebSocketTlsOptions { DangerousAcceptAnyCertificate = true };
            string failure;
            Check.True(Connect(tls, out failure), "development switch accepts the unknown CA: " + failure);
        }
    }
}
