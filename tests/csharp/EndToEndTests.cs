using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using Devian.Network.Native;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// WebSocketClient over the native engine against real servers on 127.0.0.1: the project's Rust
    /// echo server and Python <c>websockets</c>. Every wait is bounded; every server is stopped.
    /// </summary>
    internal static class EndToEndTests
    {
        private const string Protocol = "devian.v1";
        private const int FrameCount = 10000;

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("e2e", "E2E.Rust.SubProtocol10000FramesInOrderThenCloseOnce", () => RoundTrip(PeerKind.Rust)));
            tests.Add(new TestCase("e2e", "E2E.Python.SubProtocol10000FramesInOrderThenCloseOnce", () => RoundTrip(PeerKind.Python)));
            tests.Add(new TestCase("e2e", "E2E.Rust.ReconnectAfterServerRestartDeliversBufferedFrames", () => Reconnect(PeerKind.Rust)));
            tests.Add(new TestCase("e2e", "E2E.Python.ReconnectAfterServerRestartDeliversBufferedFrames", () => Reconnect(PeerKind.Python)));
            tests.Add(new TestCase("e2e", "E2E.Rust.SendThenCloseDeliversEveryAcceptedFrame", () => SendThenClose(PeerKind.Rust)));
            tests.Add(new TestCase("e2e", "E2E.Python.SendThenCloseDeliversEveryAcceptedFrame", () => SendThenClose(PeerKind.Python)));
            tests.Add(new TestCase("e2e", "E2E.Rust.SteadyStateAllocatesZeroBytesPerMessage", SteadyStateAllocatesNothing));
            tests.Add(new TestCase("e2e", "E2E.Rust.TextProtocolClientSendsAndReceivesText", () => TextProtocol(PeerKind.Rust)));
            tests.Add(new TestCase("e2e", "E2E.Python.TextProtocolClientSendsAndReceivesText", () => TextProtocol(PeerKind.Python)));
            tests.Add(new TestCase("e2e", "E2E.Rust.TextAndBinaryMessagesAllocateNothing", MessagesAllocateNothing));
            tests.Add(new TestCase("e2e", "E2E.Rust.MisuseGivesClearExceptions", MisuseGivesClearExceptions));
            tests.Add(new TestCase("e2e", "E2E.Rust.DisposeFromAnotherThreadDuringTraffic", DisposeFromAnotherThreadDuringTraffic));
            tests.Add(new TestCase("e2e", "E2E.ConnectionRefusedEndsWithOneOnClose", ConnectionRefusedEndsWithOneOnClose));
            tests.Add(new TestCase("e2e", "E2E.InvalidUrlAndHeadersAreRejectedWithTheEnginesReason", InvalidUrlIsRejected));
            tests.Add(new TestCase("e2e", "E2E.Rust.FinalizerFreesAnAbandonedClient", FinalizerFreesAnAbandonedClient));
            tests.Add(new TestCase("e2e", "E2E.Rust.GlobalShutdownLeavesClientsSafeToUse", GlobalShutdownLeavesClientsSafeToUse));
        }

        /// <summary>Opcode of test frame <paramref name="i"/>: varied, including negatives.</summary>
        private static int OpcodeFor(int i)
        {
            return i % 5 == 0 ? -i : i * 31;
        }

        /// <summary>
        /// Payload length of frame <paramref name="i"/>: mostly small, with WebSocket length-encoding
        /// boundaries (RFC 6455 §5.2): 125/126/127 (7-bit to 16-bit), 65535, and 65536+ (64-bit).
        /// </summary>
        private static int LengthFor(int i)
        {
            if (i % 1000 == 999) return 65536 + (i / 1000) % 3;
            if (i % 100 == 99) return 65535;
            if (i % 10 == 9) return 125 + (i / 10) % 3;
            return i % 97;
        }

        private static void Fill(byte[] buffer, int i, int length)
        {
            for (int j = 0; j < length; j++)
            {
                buffer[j] = (byte)(i + j);
            }
        }

        /// <summary>Checks every dispatched frame against the expected sequence; allocation-free.</summary>
        private sealed class SequenceRuntime : INetRuntime
        {
            public int Received;
            public int Mismatches;
            public int WrongSession;
            public int FirstMismatch = -1;

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                int i = Received++;
                if (sessionId != 5)
                {
                    WrongSession++;
                }
                bool ok = opcode == OpcodeFor(i) && payload.Length == LengthFor(i);
                for (int j = 0; ok && j < payload.Length; j++)
                {
                    ok = payload[j] == (byte)(i + j);
                }
                if (!ok)
                {
                    Mismatches++;
                    if (FirstMismatch < 0)
                    {
                        FirstMismatch = i;
                    }
                }
                return true;
            }
        }

        /// <summary>Records the client's events.</summary>
        private sealed class EventLog
        {
            public int Opens;
            public int Closes;
            public int Reconnecting;
            public int Reconnected;
            public ushort CloseCode;
            public string CloseReason;
            public readonly List<string> Errors = new List<string>();

            public void Attach(WebSocketClient client)
            {
                client.OnOpen += () => Opens++;
                client.OnClose += (code, reason) =>
                {
                    Closes++;
                    CloseCode = code;
                    CloseReason = reason;
                };
                client.OnError += e => Errors.Add(e.Message);
                client.OnReconnecting += (attempt, delay) => Reconnecting++;
                client.OnReconnected += () => Reconnected++;
            }
        }

        internal static void PumpUntil(WebSocketClient client, Func<bool> done, int timeoutMs, string what)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                client.Update();
                if (done())
                {
                    return;
                }
                if (watch.ElapsedMilliseconds > timeoutMs)
                {
                    throw new AssertionException("timed out after " + timeoutMs + " ms waiting for " + what + " (state " + client.State + ")");
                }
                Thread.Sleep(1);
            }
        }

        private static string Url(int port)
        {
            return "ws://127.0.0.1:" + port + "/";
        }

        /// <summary>
        /// Sends frames [from, to) with at most <paramref name="window"/> unanswered, alternating the two
        /// SendFrame forms, and pumps until all echoes arrived.
        /// </summary>
        private static void SendAndDrain(WebSocketClient client, SequenceRuntime runtime, int from, int to, int window, int timeoutMs)
        {
            var payload = new byte[70000];
            var frame = new byte[70004];
            var watch = Stopwatch.StartNew();
            int next = from;
            while (runtime.Received < to)
            {
                while (next < to && next - runtime.Received < window)
                {
                    int length = LengthFor(next);
                    Fill(payload, next, length);
                    try
                    {
                        if (next % 2 == 0)
                        {
                            client.SendFrame(OpcodeFor(next), new ReadOnlySpan<byte>(payload, 0, length));
                        }
                        else
                        {
                            int size = FrameV1.Build(frame, OpcodeFor(next), new ReadOnlySpan<byte>(payload, 0, length));
                            client.SendFrame(new ReadOnlySpan<byte>(frame, 0, size));
                        }
                        next++;
                    }
                    catch (WebSocketQueueFullException)
                    {
                        // Back-pressure: let the engine drain, then retry the same frame.
                        break;
                    }
                }
                client.Update();
                if (watch.ElapsedMilliseconds > timeoutMs)
                {
                    throw new AssertionException("timed out: sent " + next + ", received " + runtime.Received + " of " + to);
                }
                if (next - runtime.Received >= window || next == to)
                {
                    Thread.Sleep(0);
                }
            }
        }

        private static WebSocketClient NewClient(INetRuntime runtime, WebSocketOptions options)
        {
            return new WebSocketClient(new NetworkClient(runtime), options, 5);
        }

        private static void RoundTrip(PeerKind kind)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess peer = PeerProcess.Start(kind, port, Protocol))
            {
                var runtime = new SequenceRuntime();
                var log = new EventLog();
                var client = NewClient(runtime, new WebSocketOptions());
                try
                {
                    log.Attach(client);
                    client.Connect(Url(port), new[] { "other.v0", Protocol });
                    PumpUntil(client, () => log.Opens == 1, 10000, "OnOpen");
                    Check.Equal(Protocol, client.Protocol, "negotiated sub-protocol (RFC 6455 §4.2.2)");
                    Check.True(client.IsOpen, "IsOpen after OnOpen");

                    SendAndDrain(client, runtime, 0, FrameCount, 256, 120000);
                    Check.Equal(FrameCount, runtime.Received, "frames dispatched through INetRuntime");
                    Check.Equal(0, runtime.Mismatches, "frames out of order or corrupted (first at " + runtime.FirstMismatch + ")");
                    Check.Equal(0, runtime.WrongSession, "session id");
                    Check.Equal(0L, client.Core.MalformedCount + client.Core.UnhandledCount + client.Core.DispatchErrorCount, "malformed/unhandled/errors");

                    WebSocketStatistics stats = client.Statistics;
                    Check.True(stats.MessagesSent >= FrameCount, "statistics count sent messages: " + stats);
                    Check.True(stats.MessagesReceived >= FrameCount, "statistics count received messages: " + stats);

                    // RFC 6455 §7.1.2/§5.5.1: we send 4000 "bye"; the peer echoes the close and the engine reports it once.
                    client.Close(4000, "bye");
                    PumpUntil(client, () => log.Closes >= 1, 10000, "OnClose");
                    var settle = Stopwatch.StartNew();
                    while (settle.ElapsedMilliseconds < 300)
                    {
                        client.Update();
                        Thread.Sleep(5);
                    }
                    Check.Equal(1, log.Closes, "OnClose raised exactly once");
                    Check.Equal((ushort)4000, log.CloseCode, "close code");
                    if (kind == PeerKind.Python)
                    {
                        // websockets echoes the whole close payload, so our reason made it onto the wire.
                        Check.Equal("bye", log.CloseReason, "close reason echoed by the peer");
                    }
                    else
                    {
                        // RFC 6455 §5.5.1: the reply typically echoes only the status code; the reason is optional.
                        Check.True(log.CloseReason == "bye" || log.CloseReason == string.Empty, "close reason: " + log.CloseReason);
                    }
                    Check.Equal(WebSocketState.Closed, client.State, "state after close");
                    Check.Equal(0, log.Errors.Count, "errors: " + string.Join("; ", log.Errors));
                }
                finally
                {
                    client.Dispose();
                }
            }
        }

        /// <summary>
        /// "Send a goodbye, then close": every frame SendFrame accepted goes out before the Close frame
        /// (RFC 6455 §5.5.1), and nothing is reported unsent. (That the server received them all is
        /// checked by the engine's own test with a recording server.)
        /// </summary>
        private static void SendThenClose(PeerKind kind)
        {
            const int count = 1000;
            int port = PeerProcess.FreePort();
            using (PeerProcess peer = PeerProcess.Start(kind, port, Protocol))
            {
                var runtime = new SequenceRuntime();
                var log = new EventLog();
                var client = NewClient(runtime, new WebSocketOptions());
                try
                {
                    log.Attach(client);
                    client.Connect(Url(port), new[] { Protocol });
                    PumpUntil(client, () => log.Opens == 1, 10000, "OnOpen");
                    var payload = new byte[70000];
                    for (int i = 0; i < count; i++)
                    {
                        int length = LengthFor(i);
                        Fill(payload, i, length);
                        client.SendFrame(OpcodeFor(i), new ReadOnlySpan<byte>(payload, 0, length));
                    }
                    // A non-ASCII reason: strings cross the C ABI as UTF-8 on every runtime.
                    const string reason = "adiós ✓";
                    client.Close(CloseStatus.NormalClosure, reason);
                    PumpUntil(client, () => log.Closes >= 1, 20000, "OnClose");
                    Check.Equal((ushort)CloseStatus.NormalClosure, log.CloseCode, "close code");
                    if (kind == PeerKind.Python)
                    {
                        // websockets echoes the whole close payload.
                        Check.Equal(reason, log.CloseReason, "UTF-8 close reason echoed by the peer");
                    }
                    Check.Equal(0L, client.UnsentMessages, "UnsentMessages in OnClose");
                    WebSocketStatistics stats = client.Statistics;
                    Check.Equal((long)count, stats.MessagesSent, "frames written before the Close frame: " + stats);
                    Check.Equal(0L, stats.MessagesUnsent, "statistics: unsent");
                    // The peer may stop echoing once our Close arrives (python websockets answers it
                    // at once); what does come back is in order and intact.
                    Check.True(runtime.Received <= count, "echoes: " + runtime.Received);
                    Check.Equal(0, runtime.Mismatches, "frames out of order or corrupted (first at " + runtime.FirstMismatch + ")");
                }
                finally
                {
                    client.Dispose();
                }
            }
        }

        private static void Reconnect(PeerKind kind)
        {
            int port = PeerProcess.FreePort();
            var options = new WebSocketOptions();
            options.Reconnect.Enabled = true;
            options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(100);
            options.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(400);
            options.Reconnect.MaxAttempts = 100;
            options.Reconnect.Jitter = false;
            options.Reconnect.BufferWhileReconnecting = true;
            var runtime = new SequenceRuntime();
            var log = new EventLog();
            var client = NewClient(runtime, options);
            PeerProcess peer = PeerProcess.Start(kind, port, Protocol);
            try
            {
                log.Attach(client);
                client.Connect(Url(port), new[] { Protocol });
                PumpUntil(client, () => log.Opens == 1, 10000, "OnOpen");
                SendAndDrain(client, runtime, 0, 10, 10, 10000);

                peer.Kill();
                PumpUntil(client, () => log.Reconnecting >= 1, 15000, "OnReconnecting after the server was killed");

                // Sent while the server is down: buffered by the engine, delivered after the reconnect.
                var payload = new byte[70000];
                for (int i = 10; i < 30; i++)
                {
                    Fill(payload, i, LengthFor(i));
                    client.SendFrame(OpcodeFor(i), new ReadOnlySpan<byte>(payload, 0, LengthFor(i)));
                }

                peer.Dispose();
                peer = PeerProcess.Start(kind, port, Protocol);
                PumpUntil(client, () => log.Reconnected >= 1, 20000, "OnReconnected after the restart");
                PumpUntil(client, () => runtime.Received >= 30, 10000, "echoes of the buffered frames");

                Check.Equal(30, runtime.Received, "frames received");
                Check.Equal(0, runtime.Mismatches, "buffered frames in order and intact (first bad " + runtime.FirstMismatch + ")");
                Check.Equal(0, log.Closes, "no OnClose while reconnecting");
                Check.True(client.Statistics.Reconnects >= 1, "statistics count the reconnect: " + client.Statistics);
                Check.True(client.IsOpen, "open again");

                client.Close();
                PumpUntil(client, () => log.Closes == 1, 10000, "OnClose");
            }
            finally
            {
                client.Dispose();
                peer.Dispose();
            }
        }

        /// <summary>Counts dispatches without touching the payload; allocation-free.</summary>
        private sealed class CountingRuntime : INetRuntime
        {
            public int Count;

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                Count++;
                return true;
            }
        }

        private static void SteadyStateAllocatesNothing()
        {
            const int Messages = 1000;
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            {
                var runtime = new CountingRuntime();
                var client = new WebSocketClient(new NetworkClient(runtime));
                int opens = 0;
                client.OnOpen += () => opens++;
                try
                {
                    client.Connect(Url(port));
                    PumpUntil(client, () => opens == 1, 10000, "OnOpen");
                    var payload = new byte[256];
                    var frame = new byte[FrameV1.CalculateSize(payload.Length)];
                    FrameV1.Build(frame, 77, payload);

                    // Warm up every path (JIT, pools, first-use initialisation) before measuring.
                    for (int round = 0; round < 3; round++)
                    {
                        int target = runtime.Count + 2 * 200;
                        for (int i = 0; i < 200; i++)
                        {
                            client.SendFrame(77, payload);
                            client.SendFrame(frame);
                        }
                        PumpUntil(client, () => runtime.Count >= target, 10000, "warm-up echoes");
                    }

                    int expected = runtime.Count + 2 * Messages;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 0; i < Messages; i++)
                    {
                        client.SendFrame(77, payload);
                        client.SendFrame(frame);
                    }
                    long sendBytes = GC.GetAllocatedBytesForCurrentThread() - before;

                    // A plain loop (no delegates) so only Update's own path is measured.
                    var watch = Stopwatch.StartNew();
                    before = GC.GetAllocatedBytesForCurrentThread();
                    while (runtime.Count < expected && watch.ElapsedMilliseconds < 20000)
                    {
                        client.Update();
                        Thread.Sleep(1);
                    }
                    long updateBytes = GC.GetAllocatedBytesForCurrentThread() - before;

                    Check.Equal(expected, runtime.Count, "all echoes dispatched");
                    Check.Equal(0L, sendBytes, "bytes allocated by " + (2 * Messages) + " SendFrame calls");
                    Check.Equal(0L, updateBytes, "bytes allocated by Update dispatching " + (2 * Messages) + " messages");
                }
                finally
                {
                    client.Dispose();
                }
            }
        }

        /// <summary>
        /// A user with a text (JSON) protocol and no FrameV1: connect, send text and binary, receive the
        /// echoes through OnMessage, close.
        /// </summary>
        private static void TextProtocol(PeerKind kind)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(kind, port, null))
            using (var client = new WebSocketClient(new WebSocketOptions()))
            {
                var texts = new List<string>();
                var binaries = new List<byte[]>();
                int opens = 0, closes = 0;
                client.OnOpen += () => opens++;
                client.OnClose += (code, reason) => closes++;
                client.OnMessage += (data, k) =>
                {
                    if (k == WebSocketMessageKind.Text) texts.Add(System.Text.Encoding.UTF8.GetString(data.ToArray()));
                    else binaries.Add(data.ToArray());
                };
                client.Connect(Url(port));
                PumpUntil(client, () => opens == 1, 10000, "OnOpen");
                string[] sent = { "{\"op\":\"join\",\"room\":1}", "héllo wörld ✓ 😀", string.Empty, new string('x', 70000) };
                foreach (string t in sent)
                {
                    client.SendText(t);
                }
                client.Send(new byte[] { 0, 1, 2, 255 });
                PumpUntil(client, () => texts.Count == sent.Length && binaries.Count == 1, 10000, "echoes");
                for (int i = 0; i < sent.Length; i++)
                {
                    Check.Equal(sent[i], texts[i], "text " + i + " echoed intact, in order");
                }
                Check.Equal("AAEC/w==", Convert.ToBase64String(binaries[0]), "binary echoed");
                Check.Equal(0L, client.IgnoredTextMessages, "nothing ignored");
                client.Close();
                PumpUntil(client, () => closes == 1, 10000, "OnClose");
            }
        }

        /// <summary>The message-level paths allocate nothing per message either (seed 004 hot-path rule).</summary>
        private static void MessagesAllocateNothing()
        {
            const int Messages = 1000;
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            using (var client = new WebSocketClient(new WebSocketOptions()))
            {
                int opens = 0, received = 0, bytes = 0;
                client.OnOpen += () => opens++;
                client.OnMessage += (data, k) => { received++; bytes += data.Length; };
                client.Connect(Url(port));
                PumpUntil(client, () => opens == 1, 10000, "OnOpen");
                const string text = "{\"op\":\"move\",\"x\":12,\"y\":-3,\"name\":\"héllo\"}";
                var binary = new byte[256];
                for (int round = 0; round < 3; round++)
                {
                    int target = received + 400;
                    for (int i = 0; i < 200; i++)
                    {
                        client.SendText(text);
                        client.Send(binary);
                    }
                    PumpUntil(client, () => received >= target, 10000, "warm-up echoes");
                }
                int expected = received + 2 * Messages;
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < Messages; i++)
                {
                    client.SendText(text);
                    client.Send(binary);
                }
                long sendBytes = GC.GetAllocatedBytesForCurrentThread() - before;
                var watch = Stopwatch.StartNew();
                before = GC.GetAllocatedBytesForCurrentThread();
                while (received < expected && watch.ElapsedMilliseconds < 20000)
                {
                    client.Update();
                    Thread.Sleep(1);
                }
                long updateBytes = GC.GetAllocatedBytesForCurrentThread() - before;
                Check.Equal(expected, received, "all echoes raised through OnMessage");
                Check.Equal(0L, sendBytes, "bytes allocated by " + (2 * Messages) + " SendText/Send calls");
                Check.Equal(0L, updateBytes, "bytes allocated by Update raising " + (2 * Messages) + " OnMessage calls");
            }
        }

        private static void MisuseGivesClearExceptions()
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            {
                var client = new WebSocketClient(new NetworkClient(new CountingRuntime()));
                int opens = 0;
                client.OnOpen += () => opens++;
                var frame = new byte[8];
                Check.Throws<InvalidOperationException>(() => client.SendFrame(frame), "SendFrame before Connect");

                client.Connect(Url(port));
                Check.Throws<InvalidOperationException>(() => client.Connect(Url(port)), "Connect twice");
                PumpUntil(client, () => opens == 1, 10000, "OnOpen");

                Exception fromOther = WebSocketClientTests.OnOtherThread(() => client.SendFrame(frame));
                Check.True(fromOther is InvalidOperationException, "SendFrame from another thread: " + fromOther);
                fromOther = WebSocketClientTests.OnOtherThread(() => client.Update());
                Check.True(fromOther is InvalidOperationException, "Update from another thread: " + fromOther);
                Check.NoThrow(() => client.SendFrame(frame), "the owner can still send");

                client.Dispose();
                Check.NoThrow(() => client.Dispose(), "Dispose twice");
                Check.Throws<ObjectDisposedException>(() => client.SendFrame(frame), "SendFrame after Dispose");
                Check.Throws<ObjectDisposedException>(() => client.Update(), "Update after Dispose");
                Check.True(!client.IsOpen, "not open after Dispose");
            }
        }

        private static void DisposeFromAnotherThreadDuringTraffic()
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            {
                var runtime = new CountingRuntime();
                var client = new WebSocketClient(new NetworkClient(runtime));
                int opens = 0;
                client.OnOpen += () => opens++;
                client.Connect(Url(port));
                PumpUntil(client, () => opens == 1, 10000, "OnOpen");
                var payload = new byte[512];

                var disposer = new Thread(() =>
                {
                    Thread.Sleep(100);
                    client.Dispose();
                });
                disposer.Start();
                Exception ended = null;
                var watch = Stopwatch.StartNew();
                // Owner keeps sending and dispatching while the other thread disposes.
                while (ended == null && watch.ElapsedMilliseconds < 10000)
                {
                    try
                    {
                        client.SendFrame(1, payload);
                        client.Update();
                    }
                    catch (WebSocketQueueFullException)
                    {
                        Thread.Sleep(1);
                    }
                    catch (Exception ex)
                    {
                        ended = ex;
                    }
                }
                Check.True(disposer.Join(10000), "disposer finished");
                Check.True(ended is ObjectDisposedException, "the owner sees ObjectDisposedException, got " + (ended == null ? "nothing" : ended.ToString()));
                Check.True(runtime.Count > 0, "traffic flowed before the dispose");
            }
        }

        private static void ConnectionRefusedEndsWithOneOnClose()
        {
            int port = PeerProcess.FreePort();
            var log = new EventLog();
            var options = new WebSocketOptions { ConnectTimeout = TimeSpan.FromSeconds(3) };
            options.Reconnect.Enabled = false; // with it on (the default), a refusal is retried
            var client = new WebSocketClient(new NetworkClient(new CountingRuntime()), options);
            try
            {
                log.Attach(client);
                client.Connect(Url(port));
                PumpUntil(client, () => log.Closes == 1, 10000, "OnClose after connection refused");
                Check.Equal(0, log.Opens, "never opened");
                Check.Equal((ushort)CloseStatus.AbnormalClosure, log.CloseCode, "1006: no close frame (RFC 6455 §7.1.5)");
                Check.Equal(WebSocketState.Closed, client.State, "closed");
                Check.Throws<InvalidOperationException>(() => client.SendFrame(new byte[4]), "SendFrame after the connection failed");
            }
            finally
            {
                client.Dispose();
            }
        }

        private static void InvalidUrlIsRejected()
        {
            var client = new WebSocketClient(new NetworkClient(new CountingRuntime()));
            try
            {
                Check.Throws<ArgumentException>(() => client.Connect("http://127.0.0.1:1/"), "http:// URL");
                Check.Throws<ArgumentException>(() => client.Connect("not a url"), "garbage URL");
            }
            finally
            {
                client.Dispose();
            }

            // RFC 7230 §3.2: a header name is a token; CR/LF in a value would inject headers.
            string[][] badHeaders = { new[] { "Bad Name", "x" }, new[] { "X-Ok", "a\r\nInjected: 1" } };
            foreach (string[] header in badHeaders)
            {
                var options = new WebSocketOptions().AddHeader(header[0], header[1]);
                client = new WebSocketClient(new NetworkClient(new CountingRuntime()), options);
                try
                {
                    var ex = Check.Throws<ArgumentException>(() => client.Connect("ws://127.0.0.1:1/"), "header " + header[0]);
                    Check.True(ex.Message.StartsWith("Connect failed (InvalidArgument): ") && ex.Message.Length > 40, "the engine's reason is in the message: " + ex.Message);
                    Check.Throws<InvalidOperationException>(() => client.SendFrame(new byte[4]), "still unconnected");
                }
                finally
                {
                    client.Dispose();
                }
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ConnectAndAbandon(int port)
        {
            var client = new WebSocketClient(new NetworkClient(new CountingRuntime()));
            int opens = 0;
            client.OnOpen += () => opens++;
            client.Connect(Url(port));
            PumpUntil(client, () => opens == 1, 10000, "OnOpen");
        }

        private static int LiveHandles()
        {
            // cap 0 with a null array asks only for the count of live handles.
            return (int)Interop.dws_list(IntPtr.Zero, 0);
        }

        /// <summary>
        /// Unity calls dws_shutdown_all before a domain reload; clients still referenced must then fail
        /// cleanly (ObjectDisposedException), and their Dispose/finalizer must not touch the freed handles.
        /// </summary>
        private static void GlobalShutdownLeavesClientsSafeToUse()
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            {
                var client = new WebSocketClient(new NetworkClient(new CountingRuntime()));
                int opens = 0;
                client.OnOpen += () => opens++;
                client.Connect(Url(port));
                PumpUntil(client, () => opens == 1, 10000, "OnOpen");

                Check.Equal(DwsStatus.Ok, Interop.dws_shutdown_all(), "dws_shutdown_all");
                Check.Equal(0, LiveHandles(), "no live handles after shutdown");
                Check.True(!client.IsOpen, "not open after shutdown");
                var ex = Check.Throws<ObjectDisposedException>(() => client.SendFrame(1, new byte[1]), "SendFrame after shutdown");
                Check.True(ex.Message.Contains("shutdown"), "message points at the shutdown: " + ex.Message);
                Check.Throws<ObjectDisposedException>(() => client.Update(), "Update after shutdown");
                Check.NoThrow(() => client.Dispose(), "Dispose after shutdown");
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        private static void FinalizerFreesAnAbandonedClient()
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                int before = LiveHandles();
                ConnectAndAbandon(port);
                Check.Equal(before + 1, LiveHandles(), "one more live handle while the client is reachable");
                for (int i = 0; i < 5 && LiveHandles() > before; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                Check.Equal(before, LiveHandles(), "the finalizer freed the native handle");
            }
        }
    }
}
