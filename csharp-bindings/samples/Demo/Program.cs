using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using Devian.Network;
using Devian.Network.Transports;

namespace Devian.Network.Samples
{
    /// <summary>Prints every frame the server echoes back and remembers which opcodes arrived.</summary>
    internal sealed class PrintingRuntime : INetRuntime
    {
        public int Received;
        public int Mismatches;

        public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
        {
            int index = Received++;
            bool matches = index < Program.Opcodes.Length && opcode == Program.Opcodes[index]
                && payload.SequenceEqual(Program.Payloads[index]);
            if (!matches)
            {
                Mismatches++;
            }
            Console.WriteLine("  echo #{0}: opcode {1,4}, {2,3} bytes  {3}{4}",
                index + 1, opcode, payload.Length, Describe(payload), matches ? string.Empty : "  <-- UNEXPECTED");
            return true;
        }

        private static string Describe(ReadOnlySpan<byte> payload)
        {
            var text = new StringBuilder();
            for (int i = 0; i < payload.Length && i < 24; i++)
            {
                byte b = payload[i];
                text.Append(b >= 32 && b < 127 ? ((char)b).ToString() : "\\x" + b.ToString("x2"));
            }
            return "\"" + text + (payload.Length > 24 ? "...\"" : "\"");
        }
    }

    /// <summary>
    /// The README demo: connect to an echo server, send FrameV1 frames with several opcodes, dispatch
    /// the echoes through an INetRuntime, print the statistics and close cleanly. Exit code 0 only
    /// if every echo arrived intact and the connection closed.
    /// </summary>
    internal static class Program
    {
        internal static readonly int[] Opcodes = { 1, 2, 3, 42, -7 };
        internal static readonly byte[][] Payloads =
        {
            Encoding.UTF8.GetBytes("hello from C#"),
            Encoding.UTF8.GetBytes("chat: FrameV1 over the native engine"),
            new byte[] { 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64 }, // position (1.0f, 2.0f, 3.0f)
            new byte[0],
            Encoding.UTF8.GetBytes("negative opcodes are fine too"),
        };

        private static int Main(string[] args)
        {
            if (args.Length != 1)
            {
                Console.Error.WriteLine("usage: Demo.exe ws://HOST:PORT/");
                return 2;
            }
            var runtime = new PrintingRuntime();
            var options = new WebSocketOptions { PingInterval = TimeSpan.FromSeconds(1) };
            bool opened = false;
            bool closed = false;
            using (var client = new WebSocketClient(new NetworkClient(runtime), options, sessionId: 1))
            {
                client.OnOpen += () =>
                {
                    opened = true;
                    Console.WriteLine("open (sub-protocol: '{0}')", client.Protocol);
                };
                client.OnError += e => Console.WriteLine("error: {0}", e.Message);
                client.OnClose += (code, reason) =>
                {
                    closed = true;
                    Console.WriteLine("closed: {0} '{1}'", code, reason);
                };

                Console.WriteLine("connecting to {0}", args[0]);
                client.Connect(args[0], new[] { "devian.v1" });
                if (!Pump(client, () => opened || closed, 10000) || !opened)
                {
                    Console.Error.WriteLine("demo: could not connect (state {0})", client.State);
                    return 1;
                }

                // Two ways to send: a frame built in place natively, or a frame the caller built.
                var frame = new byte[256];
                for (int i = 0; i < Opcodes.Length; i++)
                {
                    Console.WriteLine("send #{0}: opcode {1,4}, {2,3} bytes", i + 1, Opcodes[i], Payloads[i].Length);
                    if (i % 2 == 0)
                    {
                        client.SendFrame(Opcodes[i], Payloads[i]);
                    }
                    else
                    {
                        int size = FrameV1.Build(frame, Opcodes[i], Payloads[i]);
                        client.SendFrame(new ReadOnlySpan<byte>(frame, 0, size));
                    }
                }
                Pump(client, () => runtime.Received >= Opcodes.Length, 10000);

                WebSocketStatistics stats = client.Statistics;
                Console.WriteLine("statistics: {0}", stats);

                client.Close(CloseStatus.NormalClosure, "demo done");
                Pump(client, () => closed, 10000);
            }

            bool ok = runtime.Received == Opcodes.Length && runtime.Mismatches == 0 && closed;
            Console.WriteLine(ok
                ? "demo: all " + Opcodes.Length + " echoes arrived intact; closed cleanly"
                : "demo: FAILED (" + runtime.Received + " of " + Opcodes.Length + " echoes, " + runtime.Mismatches + " unexpected, closed=" + closed + ")");
            return ok ? 0 : 1;
        }

        /// <summary>Calls Update (the game loop's job) until <paramref name="done"/> or the timeout.</summary>
        private static bool Pump(WebSocketClient client, Func<bool> done, int timeoutMs)
        {
            var watch = Stopwatch.StartNew();
            while (!done())
            {
                if (watch.ElapsedMilliseconds > timeoutMs)
                {
                    return false;
                }
                client.Update();
                Thread.Sleep(5);
            }
            return true;
        }
    }
}
