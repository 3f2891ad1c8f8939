using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Devian.Network;
using Devian.Network.Transports;

namespace Devian.Network.Bench
{
    /// <summary>
    /// The C# layer against what Unity users would otherwise use: our <see cref="WebSocketClient"/>
    /// (native engine) and <see cref="ClientWebSocket"/>, on the same Mono, against the same echo
    /// server (the Rust bench binary in <c>--serve ours</c> mode, on 127.0.0.1). Measures round-trip
    /// time p50/p99, messages per second (one at a time, and pipelined), managed bytes allocated per
    /// message on the calling thread, and the cost of an idle <see cref="WebSocketClient.Update"/>
    /// over many open clients. The same echoes through the Rust engine alone (the bench binary's
    /// <c>--engine-echo</c>, right after, same server) show what the C# layer adds on top of it.
    /// Prints a table and writes JSON.
    /// </summary>
    /// <remarks>
    /// Usage: <c>mono Bench.exe --server PATH/devian-ws-bench --out FILE.json [--quick]</c>.
    /// Every wait is bounded; the server process is always stopped.
    /// </remarks>
    internal static class Program
    {
        private const int Opcode = 7;
        private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

        private static int Main(string[] args)
        {
            string server = null;
            string outPath = null;
            bool quick = false;
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--server" && i + 1 < args.Length)
                {
                    server = args[++i];
                }
                else if (args[i] == "--out" && i + 1 < args.Length)
                {
                    outPath = args[++i];
                }
                else if (args[i] == "--quick")
                {
                    quick = true;
                }
                else
                {
                    Console.Error.WriteLine("usage: Bench.exe --server PATH/devian-ws-bench [--out FILE.json] [--quick]");
                    return 2;
                }
            }
            if (server == null)
            {
                Console.Error.WriteLine("--server is required (the devian-ws-bench binary, used as the echo server)");
                return 2;
            }

            try
            {
                Settings settings = quick ? Settings.Quick() : Settings.Full();
                using (var echo = ServerProcess.Start(server))
                {
                    string url = "ws://" + echo.Address + "/echo";
                    var results = new List<Result>();
                    var engine = new List<Result>();
                    foreach (int size in settings.Payloads)
                    {
                        // Interleaved run by run, so load from elsewhere hits both clients alike.
                        Result ours = new Result("WebSocketClient", size);
                        Result theirs = new Result("ClientWebSocket", size);
                        using (var a = new OursClient(url))
                        using (var b = new TheirsClient(url))
                        {
                            int count = settings.CountFor(size);
                            a.Echo(size, Math.Max(10, count / 10), null);
                            b.Echo(size, Math.Max(10, count / 10), null);
                            for (int r = 0; r < settings.Runs; r++)
                            {
                                ours.AddRun(a, size, count);
                                theirs.AddRun(b, size, count);
                            }
                            ours.Pipelined = Median(PipelinedRuns(a, size, count, settings.Runs));
                            theirs.Pipelined = Median(PipelinedRuns(b, size, count, settings.Runs));
                        }
                        results.Add(ours);
                        results.Add(theirs);
                        engine.Add(EngineEcho(server, url, size, settings.CountFor(size), settings.Runs));
                        Console.Error.WriteLine("  {0,8} B  ours {1,10:F0} msg/s  ClientWebSocket {2,10:F0} msg/s",
                            size, ours.MessagesPerSecond, theirs.MessagesPerSecond);
                    }
                    var idle = new List<IdleRow>();
                    foreach (int n in settings.ConnectionCounts)
                    {
                        idle.Add(IdleSweep(url, n, settings.Sweeps));
                    }
                    PrintTable(results, engine, idle);
                    if (outPath != null)
                    {
                        File.WriteAllText(outPath, ToJson(results, engine, idle, settings, quick));
                        Console.Error.WriteLine("wrote " + outPath);
                    }
                }
                return 0;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("C# bench failed: " + e);
                return 1;
            }
        }

        /// <summary>
        /// The same round trips and pipelined echoes through the Rust engine alone, in a child
        /// process (<c>devian-ws-bench --engine-echo</c>), which prints its medians as JSON.
        /// </summary>
        private static Result EngineEcho(string exe, string url, int size, int count, int runs)
        {
            string args = string.Format(CultureInfo.InvariantCulture,
                "--engine-echo {0} --payload {1} --count {2} --runs {3}", url, size, count, runs);
            var info = new ProcessStartInfo(exe, args)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                CreateNoWindow = true,
            };
            using (Process p = Process.Start(info))
            {
                Task<string> output = p.StandardOutput.ReadToEndAsync();
                if (!p.WaitForExit((int)(4 * WaitLimit.TotalMilliseconds)) || !output.Wait(WaitLimit))
                {
                    try { p.Kill(); } catch (InvalidOperationException) { }
                    throw new TimeoutException("devian-ws-bench --engine-echo did not finish");
                }
                if (p.ExitCode != 0)
                {
                    throw new InvalidOperationException("devian-ws-bench --engine-echo failed: exit " + p.ExitCode);
                }
                var r = new Result("engine (Rust)", size);
                r.P50s.Add(JsonNumber(output.Result, "rtt_p50_us"));
                r.Rates.Add(JsonNumber(output.Result, "msgs_per_sec"));
                r.Pipelined = JsonNumber(output.Result, "pipelined_msgs_per_sec");
                Console.Error.WriteLine("  {0,8} B  engine alone {1,10:F0} msg/s, pipelined {2,10:F0} msg/s",
                    size, r.MessagesPerSecond, r.Pipelined);
                return r;
            }
        }

        /// <summary>The number after <c>"key":</c> in a flat JSON object.</summary>
        private static double JsonNumber(string json, string key)
        {
            string tag = "\"" + key + "\":";
            int at = json.IndexOf(tag, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new FormatException("no " + key + " in " + json);
            }
            int start = at + tag.Length;
            int end = start;
            while (end < json.Length && "0123456789.eE+-".IndexOf(json[end]) >= 0)
            {
                end++;
            }
            return double.Parse(json.Substring(start, end - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        private static List<double> PipelinedRuns(IBenchClient client, int size, int count, int runs)
        {
            var rates = new List<double>();
            for (int r = 0; r < runs; r++)
            {
                rates.Add(client.Pipelined(size, count));
            }
            return rates;
        }

        /// <summary>How much work each measurement does.</summary>
        private sealed class Settings
        {
            public int Runs;
            public int[] Payloads;
            public int SmallCount;
            public int ByteBudget;
            public int[] ConnectionCounts;
            public int Sweeps;

            public static Settings Full()
            {
                return new Settings
                {
                    Runs = 5,
                    Payloads = new[] { 16, 1024, 65536, 1 << 20 },
                    SmallCount = 5000,
                    ByteBudget = 64 << 20,
                    ConnectionCounts = new[] { 1, 10, 100, 1000 },
                    Sweeps = 200,
                };
            }

            public static Settings Quick()
            {
                return new Settings
                {
                    Runs = 3,
                    Payloads = new[] { 16, 1024, 65536 },
                    SmallCount = 500,
                    ByteBudget = 4 << 20,
                    ConnectionCounts = new[] { 1, 10 },
                    Sweeps = 50,
                };
            }

            public int CountFor(int size)
            {
                return Math.Max(20, Math.Min(SmallCount, ByteBudget / Math.Max(1, size)));
            }
        }

        /// <summary>The medians for one client at one payload size.</summary>
        private sealed class Result
        {
            public readonly string Client;
            public readonly int Size;
            public readonly List<double> Rates = new List<double>();
            public readonly List<double> P50s = new List<double>();
            public readonly List<double> P99s = new List<double>();
            public readonly List<double> BytesPerMessage = new List<double>();
            public double Pipelined;

            public Result(string client, int size)
            {
                Client = client;
                Size = size;
            }

            public double MessagesPerSecond { get { return Median(Rates); } }
            public double P50Us { get { return Median(P50s); } }
            public double P99Us { get { return Median(P99s); } }
            public double AllocatedPerMessage { get { return Median(BytesPerMessage); } }

            /// <summary>One run of <paramref name="count"/> sequential round trips.</summary>
            public void AddRun(IBenchClient client, int size, int count)
            {
                var rtts = new long[count];
                long allocated0 = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                client.Echo(size, count, rtts);
                long t1 = Stopwatch.GetTimestamp();
                long allocated1 = GC.GetAllocatedBytesForCurrentThread();
                Rates.Add(count / ((t1 - t0) / (double)Stopwatch.Frequency));
                BytesPerMessage.Add((allocated1 - allocated0) / (double)count);
                Array.Sort(rtts);
                P50s.Add(Percentile(rtts, 50));
                P99s.Add(Percentile(rtts, 99));
            }
        }

        /// <summary>A client driven synchronously by the bench.</summary>
        private interface IBenchClient : IDisposable
        {
            /// <summary><paramref name="count"/> round trips one at a time; each RTT in Stopwatch ticks into <paramref name="rtts"/> if given.</summary>
            void Echo(int size, int count, long[] rtts);

            /// <summary><paramref name="count"/> messages with up to a window in flight; returns messages per second.</summary>
            double Pipelined(int size, int count);
        }

        /// <summary>Counts dispatched frames; allocation-free.</summary>
        private sealed class CountingRuntime : INetRuntime
        {
            public long Received;
            public long WrongSize;
            public int ExpectedPayload;

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                if (payload.Length != ExpectedPayload || opcode != Opcode)
                {
                    WrongSize++;
                }
                Received++;
                return true;
            }
        }

        /// <summary>Ours: <see cref="WebSocketClient"/>, pumped with <see cref="WebSocketClient.Update"/> on this thread.</summary>
        private sealed class OursClient : IBenchClient
        {
            private const int Window = 64;
            private readonly CountingRuntime _runtime = new CountingRuntime();
            private readonly WebSocketClient _client;
            private byte[] _payload = new byte[0];
            private bool _open;
            private bool _closed;

            public OursClient(string url)
            {
                var options = new WebSocketOptions { PingInterval = TimeSpan.Zero };
                options.Reconnect.Enabled = false;
                _client = new WebSocketClient(new NetworkClient(_runtime), options);
                _client.OnOpen += () => _open = true;
                _client.OnClose += (code, reason) => _closed = true;
                _client.Connect(url);
                PumpUntil(() => _open || _closed, "open");
                if (!_open)
                {
                    throw new InvalidOperationException("WebSocketClient did not open " + url);
                }
            }

            public void Echo(int size, int count, long[] rtts)
            {
                ReadOnlySpan<byte> payload = Payload(size);
                for (int i = 0; i < count; i++)
                {
                    long before = _runtime.Received;
                    long t0 = Stopwatch.GetTimestamp();
                    _client.SendFrame(Opcode, payload);
                    WaitReceived(before + 1);
                    if (rtts != null)
                    {
                        rtts[i] = Stopwatch.GetTimestamp() - t0;
                    }
                }
                CheckSizes();
            }

            public double Pipelined(int size, int count)
            {
                ReadOnlySpan<byte> payload = Payload(size);
                long start = _runtime.Received;
                long t0 = Stopwatch.GetTimestamp();
                int sent = 0;
                var watch = Stopwatch.StartNew();
                while (_runtime.Received - start < count)
                {
                    while (sent < count && sent - (_runtime.Received - start) < Window)
                    {
                        try
                        {
                            _client.SendFrame(Opcode, payload);
                        }
                        catch (WebSocketQueueFullException)
                        {
                            // 64 messages of 1 MiB fill the default 64 MiB queue: retry after Update().
                            break;
                        }
                        sent++;
                    }
                    long before = _runtime.Received;
                    _client.Update();
                    if (_runtime.Received == before)
                    {
                        // Nothing arrived: let the engine's threads have the core, as WaitReceived does.
                        Thread.Yield();
                    }
                    if (watch.Elapsed > WaitLimit)
                    {
                        throw new TimeoutException("pipelined echo timed out");
                    }
                }
                long t1 = Stopwatch.GetTimestamp();
                CheckSizes();
                return count / ((t1 - t0) / (double)Stopwatch.Frequency);
            }

            private ReadOnlySpan<byte> Payload(int size)
            {
                if (_payload.Length != size)
                {
                    _payload = new byte[size];
                }
                _runtime.ExpectedPayload = size;
                return _payload;
            }

            private void WaitReceived(long target)
            {
                // Spin on Update() like a game loop at full speed; yield so the engine's threads get the core.
                long deadline = Stopwatch.GetTimestamp() + (long)(WaitLimit.TotalSeconds * Stopwatch.Frequency);
                int spins = 0;
                while (true)
                {
                    _client.Update();
                    if (_runtime.Received >= target)
                    {
                        return;
                    }
                    Thread.Yield();
                    if ((++spins & 0x3FF) == 0)
                    {
                        if (_closed)
                        {
                            throw new InvalidOperationException("connection closed during the bench");
                        }
                        if (Stopwatch.GetTimestamp() > deadline)
                        {
                            throw new TimeoutException("echo did not arrive within " + WaitLimit);
                        }
                    }
                }
            }

            private void CheckSizes()
            {
                if (_runtime.WrongSize != 0)
                {
                    throw new InvalidOperationException(_runtime.WrongSize + " echoes had the wrong opcode or size");
                }
            }

            private void PumpUntil(Func<bool> done, string what)
            {
                var watch = Stopwatch.StartNew();
                while (!done())
                {
                    _client.Update();
                    if (watch.Elapsed > WaitLimit)
                    {
                        throw new TimeoutException("WebSocketClient: no " + what + " within " + WaitLimit);
                    }
                    Thread.Sleep(1);
                }
            }

            public void Dispose()
            {
                try
                {
                    if (_open && !_closed)
                    {
                        _client.Close();
                        PumpUntil(() => _closed, "close");
                    }
                }
                finally
                {
                    _client.Dispose();
                }
            }
        }

        /// <summary>Theirs: <see cref="ClientWebSocket"/>, awaited synchronously on this thread.</summary>
        private sealed class TheirsClient : IBenchClient
        {
            private const int Window = 64;
            private readonly ClientWebSocket _ws = new ClientWebSocket();
            private byte[] _frame = new byte[0];
            private readonly byte[] _receive = new byte[1 << 20];

            public TheirsClient(string url)
            {
                using (var cts = new CancellationTokenSource(WaitLimit))
                {
                    _ws.ConnectAsync(new Uri(url), cts.Token).GetAwaiter().GetResult();
                }
            }

            public void Echo(int size, int count, long[] rtts)
            {
                var segment = new ArraySegment<byte>(Frame(size));
                for (int i = 0; i < count; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    _ws.SendAsync(segment, WebSocketMessageType.Binary, true, CancellationToken.None).GetAwaiter().GetResult();
                    ReceiveOne(segment.Count);
                    if (rtts != null)
                    {
                        rtts[i] = Stopwatch.GetTimestamp() - t0;
                    }
                }
            }

            public double Pipelined(int size, int count)
            {
                var segment = new ArraySegment<byte>(Frame(size));
                long received = 0;
                // One receive loop and one send loop at a time: what ClientWebSocket allows.
                Task receiver = Task.Run(() =>
                {
                    for (int i = 0; i < count; i++)
                    {
                        ReceiveOne(segment.Count);
                        Interlocked.Increment(ref received);
                    }
                });
                long t0 = Stopwatch.GetTimestamp();
                var watch = Stopwatch.StartNew();
                for (int sent = 0; sent < count; sent++)
                {
                    while (sent - Interlocked.Read(ref received) >= Window)
                    {
                        if (receiver.IsFaulted || watch.Elapsed > WaitLimit)
                        {
                            break;
                        }
                        Thread.Yield();
                    }
                    _ws.SendAsync(segment, WebSocketMessageType.Binary, true, CancellationToken.None).GetAwaiter().GetResult();
                }
                if (!receiver.Wait(WaitLimit))
                {
                    throw new TimeoutException("ClientWebSocket pipelined echo timed out");
                }
                receiver.GetAwaiter().GetResult();
                long t1 = Stopwatch.GetTimestamp();
                return count / ((t1 - t0) / (double)Stopwatch.Frequency);
            }

            private byte[] Frame(int size)
            {
                if (_frame.Length != FrameV1.CalculateSize(size))
                {
                    _frame = new byte[FrameV1.CalculateSize(size)];
                    FrameV1.Build(_frame, Opcode, new byte[size]);
                }
                return _frame;
            }

            private void ReceiveOne(int expected)
            {
                int total = 0;
                while (true)
                {
                    var segment = new ArraySegment<byte>(_receive);
                    WebSocketReceiveResult r = _ws.ReceiveAsync(segment, CancellationToken.None).GetAwaiter().GetResult();
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        throw new InvalidOperationException("server closed during the bench");
                    }
                    total += r.Count;
                    if (r.EndOfMessage)
                    {
                        break;
                    }
                }
                if (total != expected)
                {
                    throw new InvalidOperationException("echo of " + total + " bytes, expected " + expected);
                }
            }

            public void Dispose()
            {
                try
                {
                    using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
                    {
                        _ws.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cts.Token).Wait(TimeSpan.FromSeconds(5));
                    }
                }
                catch (Exception)
                {
                    // The figures are taken; a slow close only matters for cleanup.
                }
                _ws.Dispose();
            }
        }

        /// <summary>Idle Update() sweep over many open clients.</summary>
        private sealed class IdleRow
        {
            public int Connections;
            public double SweepUs;
            public double AllocatedPerSweep;
        }

        private static IdleRow IdleSweep(string url, int n, int sweeps)
        {
            var clients = new List<WebSocketClient>(n);
            int opened = 0;
            try
            {
                var runtime = new CountingRuntime();
                var options = new WebSocketOptions { PingInterval = TimeSpan.Zero };
                options.Reconnect.Enabled = false;
                for (int i = 0; i < n; i++)
                {
                    var c = new WebSocketClient(new NetworkClient(runtime), options, i);
                    c.OnOpen += () => opened++;
                    c.Connect(url);
                    clients.Add(c);
                }
                var watch = Stopwatch.StartNew();
                while (opened < n)
                {
                    foreach (WebSocketClient c in clients)
                    {
                        c.Update();
                    }
                    if (watch.Elapsed > WaitLimit)
                    {
                        throw new TimeoutException(opened + " of " + n + " clients opened");
                    }
                    Thread.Sleep(1);
                }
                var times = new List<double>(sweeps);
                long allocated0 = GC.GetAllocatedBytesForCurrentThread();
                for (int s = 0; s < sweeps; s++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    for (int i = 0; i < clients.Count; i++)
                    {
                        clients[i].Update();
                    }
                    times.Add((Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency);
                }
                long allocated1 = GC.GetAllocatedBytesForCurrentThread();
                var row = new IdleRow
                {
                    Connections = n,
                    SweepUs = Median(times),
                    // The times list was preallocated; anything counted here is Update's.
                    AllocatedPerSweep = (allocated1 - allocated0) / (double)sweeps,
                };
                Console.Error.WriteLine("  {0,5} clients  idle Update() sweep {1,9:F2} us", n, row.SweepUs);
                return row;
            }
            finally
            {
                foreach (WebSocketClient c in clients)
                {
                    c.Dispose();
                }
            }
        }

        private static double Percentile(long[] sortedTicks, double p)
        {
            if (sortedTicks.Length == 0)
            {
                return 0;
            }
            // Nearest rank, as in the Rust bench.
            int rank = (int)Math.Ceiling(p / 100.0 * sortedTicks.Length);
            int index = Math.Min(sortedTicks.Length - 1, Math.Max(0, rank - 1));
            return sortedTicks[index] * 1e6 / Stopwatch.Frequency;
        }

        private static double Median(List<double> values)
        {
            if (values.Count == 0)
            {
                return 0;
            }
            var v = new List<double>(values);
            v.Sort();
            int mid = v.Count / 2;
            return v.Count % 2 == 0 ? (v[mid - 1] + v[mid]) / 2 : v[mid];
        }

        private static void PrintTable(List<Result> results, List<Result> engine, List<IdleRow> idle)
        {
            Console.WriteLine();
            Console.WriteLine("C#: WebSocketClient (ours) vs ClientWebSocket, same Mono, same server (medians)");
            Console.WriteLine("{0,-16} {1,8} | {2,9} {3,9} | {4,11} {5,11} | {6,10}", "client", "payload", "p50 us", "p99 us", "echo msg/s", "pipe msg/s", "B/message");
            foreach (Result r in results)
            {
                Console.WriteLine("{0,-16} {1,8} | {2,9:F1} {3,9:F1} | {4,11:F0} {5,11:F0} | {6,10:F1}",
                    r.Client, r.Size, r.P50Us, r.P99Us, r.MessagesPerSecond, r.Pipelined, r.AllocatedPerMessage);
            }
            foreach (Result r in engine)
            {
                Console.WriteLine("{0,-16} {1,8} | {2,9:F1} {3,9} | {4,11:F0} {5,11:F0} | {6,10}",
                    r.Client, r.Size, r.P50Us, "-", r.MessagesPerSecond, r.Pipelined, "-");
            }
            Console.WriteLine();
            Console.WriteLine("{0,6} {1,16} {2,14}", "conns", "idle Update us", "B per sweep");
            foreach (IdleRow row in idle)
            {
                Console.WriteLine("{0,6} {1,16:F2} {2,14:F1}", row.Connections, row.SweepUs, row.AllocatedPerSweep);
            }
        }

        private static string Num(double v)
        {
            if (double.IsNaN(v) || double.IsInfinity(v))
            {
                return "null";
            }
            return v.ToString("R", CultureInfo.InvariantCulture);
        }

        private static string ToJson(List<Result> results, List<Result> engine, List<IdleRow> idle, Settings settings, bool quick)
        {
            var sb = new StringBuilder();
            sb.Append("{\n  \"tool\": \"csharp-bench\",\n");
            sb.Append("  \"runtime\": \"").Append(RuntimeDescription()).Append("\",\n");
            sb.Append("  \"quick\": ").Append(quick ? "true" : "false").Append(",\n");
            sb.Append("  \"runs\": ").Append(settings.Runs).Append(",\n");
            sb.Append("  \"server\": \"devian-websocket\",\n");
            sb.Append("  \"clients\": [\n");
            for (int i = 0; i < results.Count; i++)
            {
                Result r = results[i];
                sb.Append("    {\"client\": \"").Append(r.Client).Append("\"")
                  .Append(", \"payload_bytes\": ").Append(r.Size)
                  .Append(", \"rtt_p50_us\": ").Append(Num(r.P50Us))
                  .Append(", \"rtt_p99_us\": ").Append(Num(r.P99Us))
                  .Append(", \"msgs_per_sec\": ").Append(Num(r.MessagesPerSecond))
                  .Append(", \"pipelined_msgs_per_sec\": ").Append(Num(r.Pipelined))
                  .Append(", \"allocated_bytes_per_message\": ").Append(Num(r.AllocatedPerMessage))
                  .Append("}").Append(i + 1 < results.Count ? ",\n" : "\n");
            }
            sb.Append("  ],\n  \"engine\": [\n");
            for (int i = 0; i < engine.Count; i++)
            {
                Result r = engine[i];
                sb.Append("    {\"payload_bytes\": ").Append(r.Size)
                  .Append(", \"rtt_p50_us\": ").Append(Num(r.P50Us))
                  .Append(", \"msgs_per_sec\": ").Append(Num(r.MessagesPerSecond))
                  .Append(", \"pipelined_msgs_per_sec\": ").Append(Num(r.Pipelined))
                  .Append("}").Append(i + 1 < engine.Count ? ",\n" : "\n");
            }
            sb.Append("  ],\n  \"idle_update\": [\n");
            for (int i = 0; i < idle.Count; i++)
            {
                IdleRow row = idle[i];
                sb.Append("    {\"connections\": ").Append(row.Connections)
                  .Append(", \"sweep_us\": ").Append(Num(row.SweepUs))
                  .Append(", \"allocated_bytes_per_sweep\": ").Append(Num(row.AllocatedPerSweep))
                  .Append("}").Append(i + 1 < idle.Count ? ",\n" : "\n");
            }
            sb.Append("  ]\n}\n");
            return sb.ToString();
        }

        private static string RuntimeDescription()
        {
            Type mono = Type.GetType("Mono.Runtime");
            if (mono != null)
            {
                var display = mono.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
                if (display != null)
                {
                    return ("Mono " + display.Invoke(null, null)).Replace("\"", "'");
                }
            }
            return Environment.Version.ToString();
        }
    }

    /// <summary>The Rust bench binary as an echo server (<c>--serve ours</c>), stopped when disposed.</summary>
    internal sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, string address)
        {
            _process = process;
            Address = address;
        }

        /// <summary>host:port it listens on.</summary>
        public string Address { get; private set; }

        public static ServerProcess Start(string exe)
        {
            var info = new ProcessStartInfo(exe, "--serve ours 127.0.0.1:0")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                CreateNoWindow = true,
            };
            Process p = Process.Start(info);
            Task<string> line = p.StandardOutput.ReadLineAsync();
            if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result == null || !line.Result.StartsWith("listening on ", StringComparison.Ordinal))
            {
                Kill(p);
                throw new InvalidOperationException("echo server did not start: " + exe);
            }
            return new ServerProcess(p, line.Result.Substring("listening on ".Length).Trim());
        }

        public void Dispose()
        {
            // Closing stdin asks it to exit; kill covers a stuck one.
            try
            {
                _process.StandardInput.Close();
            }
            catch (Exception)
            {
            }
            if (!_process.WaitForExit(5000))
            {
                Kill(_process);
            }
            _process.Dispose();
        }

        private static void Kill(Process p)
        {
            try
            {
                p.Kill();
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    }
}
