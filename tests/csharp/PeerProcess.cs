using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Devian.Network.Tests
{
    /// <summary>Which echo server an end-to-end test talks to.</summary>
    internal enum PeerKind
    {
        /// <summary>The project's Rust echo server (target/release/examples/echo_server).</summary>
        Rust,
        /// <summary>Python <c>websockets</c>, an independent implementation (tests/csharp/peers/echo_peer.py).</summary>
        Python,
        /// <summary>node <c>ws</c>, another independent implementation (tests/csharp/peers/echo_peer.js).</summary>
        Node,
    }

    /// <summary>An echo server process on 127.0.0.1, started for one test and always stopped by it.</summary>
    internal sealed class PeerProcess : IDisposable
    {
        private const int StartTimeoutMs = 20000;
        private readonly Process _process;
        private readonly ManualResetEvent _listening = new ManualResetEvent(false);
        private readonly StringBuilder _output = new StringBuilder();

        private PeerProcess(string fileName, string arguments)
        {
            var info = new ProcessStartInfo(fileName, arguments)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            _process = new Process { StartInfo = info };
            _process.OutputDataReceived += OnLine;
            _process.ErrorDataReceived += OnLine;
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (!_listening.WaitOne(StartTimeoutMs))
            {
                Dispose();
                throw new InvalidOperationException(
                    "peer did not print 'listening on' within " + StartTimeoutMs + " ms: " + fileName + " " + arguments + "\n" + Output);
            }
        }

        /// <summary>Everything the peer printed so far.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Starts an echo server of <paramref name="kind"/> on 127.0.0.1:<paramref name="port"/>, accepting <paramref name="protocol"/>.</summary>
        public static PeerProcess Start(PeerKind kind, int port, string protocol)
        {
            return Start(kind, port, protocol, false);
        }

        /// <summary>
        /// As <see cref="Start(PeerKind, int, string)"/>; with <paramref name="report"/> (Python only) the peer first
        /// sends what it saw of the handshake (see echo_peer.py).
        /// </summary>
        public static PeerProcess Start(PeerKind kind, int port, string protocol, bool report)
        {
            if (kind == PeerKind.Rust)
            {
                string server = Env("DEVIAN_ECHO_SERVER");
                if (!File.Exists(server))
                {
                    throw new InvalidOperationException("Rust echo server not built: " + server);
                }
                return new PeerProcess(server, "127.0.0.1:" + port + (protocol != null ? " --protocol " + protocol : string.Empty));
            }
            if (kind == PeerKind.Node)
            {
                return new PeerProcess("node", "\"" + Path.Combine(Env("DEVIAN_PEER_DIR"), "echo_peer.js") + "\" " + port + " --lifetime 120");
            }
            string script = Path.Combine(Env("DEVIAN_PEER_DIR"), "echo_peer.py");
            return new PeerProcess(
                Env("DEVIAN_PYTHON"),
                "-u \"" + script + "\" " + port + (protocol != null ? " --protocol " + protocol : string.Empty)
                + (report ? " --report" : string.Empty) + " --lifetime 120");
        }

        /// <summary>Starts the reference pub/sub server (native/websocket/examples/pubsub_server.rs).</summary>
        public static PeerProcess StartPubSub(int port)
        {
            return new PeerProcess(Env("DEVIAN_PUBSUB_SERVER"), "127.0.0.1:" + port);
        }

        /// <summary>Starts the Rust echo server serving <c>wss://</c> with the given PEM certificate chain and key.</summary>
        public static PeerProcess StartRustTls(int port, string certPem, string keyPem)
        {
            string server = Env("DEVIAN_ECHO_SERVER");
            return new PeerProcess(server, "127.0.0.1:" + port + " --tls-cert \"" + certPem + "\" --tls-key \"" + keyPem + "\"");
        }

        /// <summary>Runs the Python helper <paramref name="script"/> from the peers folder to completion (bounded).</summary>
        public static void RunPythonScript(string script, string arguments)
        {
            var info = new ProcessStartInfo(Env("DEVIAN_PYTHON"), "\"" + Path.Combine(Env("DEVIAN_PEER_DIR"), script) + "\" " + arguments)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using (Process process = Process.Start(info))
            {
                string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                if (!process.WaitForExit(60000))
                {
                    process.Kill();
                    throw new InvalidOperationException(script + " did not finish within 60 s");
                }
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException(script + " failed (" + process.ExitCode + "): " + output);
                }
            }
        }

        /// <summary>A loopback port that was free a moment ago.</summary>
        public static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        /// <summary>Kills the server (no close handshake: the client sees the TCP connection drop).</summary>
        /// <summary>Stops the peer (SIGSTOP): its sockets stay open and it answers nothing until killed.</summary>
        public void Freeze()
        {
            using (Process stop = Process.Start(new ProcessStartInfo("kill", "-STOP " + _process.Id) { UseShellExecute = false }))
            {
                stop.WaitForExit(10000);
                if (stop.ExitCode != 0)
                {
                    throw new InvalidOperationException("kill -STOP " + _process.Id + " failed");
                }
            }
        }

        public void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                }
                _process.WaitForExit(10000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private static string Env(string name)
        {
            string value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
            {
                throw new InvalidOperationException(name + " is not set (scripts/test-stages/csharp sets it)");
            }
            return value;
        }

        private void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data == null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
            if (e.Data.Contains("listening on"))
            {
                _listening.Set();
            }
        }
    }
}
