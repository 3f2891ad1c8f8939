using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// The C# layer through real proxies on loopback (tinyproxy: HTTP CONNECT with Basic auth;
    /// tinyproxy behind stunnel4: the same over TLS to the proxy; microsocks: SOCKS5 with
    /// username/password), to the project's Rust echo server.
    /// </summary>
    internal static class ProxyTests
    {
        private const string User = "carol";
        private const string Password = "pr0xy-pw";

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("e2e", "E2E.Proxy.HttpConnectWithBasicAuthCarriesFramesBothWays", () => EchoThrough("tinyproxy", "http")));
            tests.Add(new TestCase("e2e", "E2E.Proxy.HttpsProxyWithBasicAuthCarriesFramesBothWays", () => EchoThrough("stunnel4", "https")));
            tests.Add(new TestCase("e2e", "E2E.Proxy.Socks5hWithUsernameAndPasswordCarriesFramesBothWays", () => EchoThrough("microsocks", "socks5h")));
            tests.Add(new TestCase("e2e", "E2E.Proxy.WrongPasswordIsAnErrorThatHidesTheSecret", WrongPassword));
        }

        /// <summary>A proxy process on 127.0.0.1, killed on Dispose.</summary>
        private sealed class ProxyProcess : IDisposable
        {
            private readonly Process _process;
            private readonly string _dir;
            private readonly ProxyProcess _backend;
            public readonly int Port;

            /// <summary>tinyproxy, microsocks, or stunnel4 (TLS with the test PKI's certificate) in
            /// front of a tinyproxy of its own: an https:// proxy.</summary>
            public ProxyProcess(string kind)
            {
                Port = PeerProcess.FreePort();
                _dir = Path.Combine(Path.GetTempPath(), "devian-cs-" + kind + "-" + Port);
                Directory.CreateDirectory(_dir);
                string args;
                if (kind == "tinyproxy")
                {
                    string conf = Path.Combine(_dir, "tinyproxy.conf");
                    File.WriteAllText(conf, "Port " + Port + "\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nLogLevel Error\n" +
                        "PidFile \"" + _dir + "/pid\"\nBasicAuth " + User + " " + Password + "\n");
                    args = "-d -c " + conf;
                }
                else if (kind == "stunnel4")
                {
                    _backend = new ProxyProcess("tinyproxy");
                    string conf = Path.Combine(_dir, "stunnel.conf");
                    File.WriteAllText(conf, "foreground = yes\npid =\ndebug = 0\n[proxy]\naccept = 127.0.0.1:" + Port +
                        "\nconnect = 127.0.0.1:" + _backend.Port + "\ncert = " + Path.Combine(TlsTests.Pki, "server.pem") +
                        "\nkey = " + Path.Combine(TlsTests.Pki, "server.key") + "\n");
                    args = conf;
                }
                else
                {
                    args = "-i 127.0.0.1 -p " + Port + " -u " + User + " -P " + Password;
                }
                _process = Process.Start(new ProcessStartInfo(kind, args) { UseShellExecute = false, CreateNoWindow = true });
                var watch = Stopwatch.StartNew();
                while (true)
                {
                    try
                    {
                        using (new TcpClient("127.0.0.1", Port)) break;
                    }
                    catch (SocketException)
                    {
                        if (_process.HasExited || watch.ElapsedMilliseconds > 10000)
                        {
                            throw new InvalidOperationException(kind + " did not start listening (the test command installs it)");
                        }
                        Thread.Sleep(20);
                    }
                }
            }

            public void Dispose()
            {
                try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(5000); } catch (InvalidOperationException) { }
                _process.Dispose();
                try { Directory.Delete(_dir, true); } catch (IOException) { }
                if (_backend != null) _backend.Dispose();
            }
        }

        private sealed class Frames : INetRuntime
        {
            public readonly List<byte[]> Payloads = new List<byte[]>();

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                Payloads.Add(payload.ToArray());
                return true;
            }
        }

        private static void EchoThrough(string kind, string scheme)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            using (var proxy = new ProxyProcess(kind))
            {
                var frames = new Frames();
                var options = new WebSocketOptions { Proxy = scheme + "://" + User + ":" + Password + "@127.0.0.1:" + proxy.Port };
                // An https:// proxy's certificate is checked against the connection's roots.
                if (scheme == "https") options.Tls.AddRootCertificatePem(File.ReadAllBytes(Path.Combine(TlsTests.Pki, "ca.pem")));
                using (var client = new WebSocketClient(new NetworkClient(frames), options))
                {
                    int opens = 0, closes = 0;
                    var errors = new List<string>();
                    client.OnOpen += () => opens++;
                    client.OnClose += (code, reason) => closes++;
                    client.OnError += e => errors.Add(e.Message);
                    client.Connect("ws://localhost:" + port + "/");
                    EndToEndTests.PumpUntil(client, () => opens == 1 || closes > 0, 10000, "OnOpen through " + kind);
                    Check.Equal(0, errors.Count, "errors: " + string.Join("; ", errors));
                    int[] sizes = { 0, 10, 70000, 1 << 20 };
                    foreach (int size in sizes)
                    {
                        var payload = new byte[size];
                        for (int i = 0; i < size; i++) payload[i] = (byte)(i * 13 + size);
                        client.SendFrame(size, payload);
                    }
                    EndToEndTests.PumpUntil(client, () => frames.Payloads.Count == sizes.Length, 20000, "echoes through " + kind);
                    for (int k = 0; k < sizes.Length; k++)
                    {
                        Check.Equal(sizes[k], frames.Payloads[k].Length, "frame " + k + " length");
                        for (int i = 0; i < sizes[k]; i += 997)
                        {
                            if (frames.Payloads[k][i] != (byte)(i * 13 + sizes[k])) throw new Exception("frame " + k + " corrupted at " + i);
                        }
                    }
                    client.Close();
                    EndToEndTests.PumpUntil(client, () => closes == 1, 10000, "OnClose");
                }
            }
        }

        private static void WrongPassword()
        {
            using (var proxy = new ProxyProcess("tinyproxy"))
            {
                var options = new WebSocketOptions { Proxy = "http://" + User + ":not-" + Password + "@127.0.0.1:" + proxy.Port };
                options.Reconnect.Enabled = false;
                using (var client = new WebSocketClient(options))
                {
                    var errors = new List<WebSocketClientException>();
                    ushort closeCode = 0;
                    client.OnError += e => errors.Add((WebSocketClientException)e);
                    client.OnClose += (code, reason) => closeCode = code;
                    client.Connect("ws://127.0.0.1:9/");
                    EndToEndTests.PumpUntil(client, () => closeCode != 0, 10000, "OnClose");
                    Check.Equal((ushort)1006, closeCode, "no connection");
                    Check.True(errors.Count > 0 && errors[0].Message.Contains("authentication failed"), "error: " + (errors.Count > 0 ? errors[0].Message : "none"));
                    Check.Equal(7, errors[0].ErrorKind, "error kind 7: proxy");
                    Check.True(!errors[0].Message.Contains(Password), "the password stays secret");
                }
            }
        }
    }
}
