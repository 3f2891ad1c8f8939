using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// The async client (seed 000, task 18.4/18.7) against real servers on 127.0.0.1: echo with Rust and
    /// Python peers, cancellation of each call, 8 threads sending at once, the receive loop ending on
    /// close, reconnect, back-pressure as an await, and what allocates. Every wait is bounded.
    /// </summary>
    internal static class AsyncClientTests
    {
        private const int Wait = 10000;

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("e2e", "Async.Rust.EchoTextBinarySegmentMemoryThenClose", () => Echo(PeerKind.Rust)));
            tests.Add(new TestCase("e2e", "Async.Python.EchoTextBinarySegmentMemoryThenClose", () => Echo(PeerKind.Python)));
            tests.Add(new TestCase("e2e", "Async.Node.EchoTextBinarySegmentMemoryThenClose", () => Echo(PeerKind.Node)));
            tests.Add(new TestCase("e2e", "Async.Rust.EightThreadsSendAtOnceEachInOrder", EightThreads));
            tests.Add(new TestCase("e2e", "Async.Rust.CancellationOfEachCall", Cancellation));
            tests.Add(new TestCase("e2e", "Async.Rust.ReceiveLoopEndsWhenTheConnectionCloses", ReceiveLoopEndsOnClose));
            tests.Add(new TestCase("e2e", "Async.Rust.ReconnectsAndKeepsSending", Reconnect));
            tests.Add(new TestCase("e2e", "Async.AFullSendQueueIsAwaitedNotThrown", BackPressure));
            tests.Add(new TestCase("e2e", "Async.Rust.SendsAllocateNothingReceivesOnlyThePayload", Allocation));
        }

        private static string Url(int port)
        {
            return "ws://127.0.0.1:" + port + "/";
        }

        private static T Get<T>(ValueTask<T> pending, string what)
        {
            if (pending.IsCompletedSuccessfully) return pending.Result;
            Task<T> t = pending.AsTask();
            if (!t.Wait(Wait)) throw new TimeoutException(what + " did not complete");
            return t.Result;
        }

        private static void Done(ValueTask pending, string what)
        {
            if (pending.IsCompletedSuccessfully) return;
            if (!pending.AsTask().Wait(Wait)) throw new TimeoutException(what + " did not complete");
        }

        private static void Done(Task pending, string what)
        {
            if (!pending.Wait(Wait)) throw new TimeoutException(what + " did not complete");
        }

        private static AsyncWebSocketClient Connected(int port, WebSocketOptions options = null)
        {
            var client = new AsyncWebSocketClient(options ?? new WebSocketOptions());
            Done(client.ConnectAsync(new Uri(Url(port))), "ConnectAsync");
            Check.Equal(WebSocketState.Open, client.State, "open after ConnectAsync");
            return client;
        }

        private static void Echo(PeerKind kind)
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(kind, port, null))
            using (AsyncWebSocketClient client = Connected(port))
            {
                Done(client.SendAsync("héllo ✓"), "send text");
                Done(client.SendAsync(new byte[] { 1, 2, 3 }), "send bytes");
                Done(client.SendAsync(new ArraySegment<byte>(new byte[] { 9, 8, 7, 6 }, 1, 2)), "send segment");
                Done(client.SendAsync(new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes("{\"a\":1}")), WebSocketMessageKind.Text), "send memory");
                var big = new byte[1 << 20];
                new Random(5).NextBytes(big);
                Done(client.SendAsync(big), "send 1 MiB");

                WebSocketMessage m = Get(client.ReceiveAsync(), "receive 1");
                Check.Equal(WebSocketMessageKind.Text, m.Kind, "text kind");
                Check.Equal("héllo ✓", m.Text, "text");
                Check.Equal("AQID", Convert.ToBase64String(Get(client.ReceiveAsync(), "receive 2").Data), "bytes");
                Check.Equal("CAc=", Convert.ToBase64String(Get(client.ReceiveAsync(), "receive 3").Data), "segment");
                Check.Equal("{\"a\":1}", Get(client.ReceiveAsync(), "receive 4").Text, "memory as text");
                byte[] back = Get(client.ReceiveAsync(), "receive 5").Data;
                Check.Equal(Convert.ToBase64String(big), Convert.ToBase64String(back), "1 MiB intact");

                Done(client.CloseAsync(4000, "done"), "CloseAsync");
                WebSocketMessage end = Get(client.ReceiveAsync(), "receive after close");
                Check.True(end.IsClose, "a close marks the end");
                Check.Equal((ushort)4000, end.CloseStatus, "close code");
                Check.Equal(WebSocketState.Closed, client.State, "closed");
            }
        }

        // Seed 000 task 18.4: thread-safe concurrent send; each thread's messages stay in order.
        private static void EightThreads()
        {
            const int Threads = 8, PerThread = 500;
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            using (AsyncWebSocketClient client = Connected(port))
            {
                var threads = new Thread[Threads];
                var failures = new List<Exception>();
                for (int k = 0; k < Threads; k++)
                {
                    int id = k;
                    threads[k] = new Thread(() =>
                    {
                        try
                        {
                            for (int i = 0; i < PerThread; i++)
                            {
                                if (i % 2 == 0) Done(client.SendAsync("t" + id + ":" + i), "text send");
                                else Done(client.SendAsync(Encoding.UTF8.GetBytes("t" + id + ":" + i)), "binary send");
                            }
                        }
                        catch (Exception e)
                        {
                            lock (failures) failures.Add(e);
                        }
                    });
                    threads[k].Start();
                }
                var next = new int[Threads];
                for (int n = 0; n < Threads * PerThread; n++)
                {
                    string text = Get(client.ReceiveAsync(), "echo " + n).Text;
                    int colon = text.IndexOf(':');
                    int id = int.Parse(text.Substring(1, colon - 1));
                    int i = int.Parse(text.Substring(colon + 1));
                    Check.Equal(next[id], i, "thread " + id + " in order");
                    next[id]++;
                }
                foreach (Thread t in threads) t.Join(Wait);
                Check.Equal(0, failures.Count, "send failures: " + string.Join("; ", failures));
            }
        }

        private static void Cancellation()
        {
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            using (AsyncWebSocketClient client = Connected(port))
            {
                // ReceiveAsync: cancelled promptly, the connection stays usable.
                var cts = new CancellationTokenSource();
                ValueTask<WebSocketMessage> pending = client.ReceiveAsync(cts.Token);
                var watch = Stopwatch.StartNew();
                cts.Cancel();
                ExpectCanceled(() => Get(pending, "cancelled receive"), "ReceiveAsync");
                Check.True(watch.ElapsedMilliseconds < 2000, "prompt: " + watch.ElapsedMilliseconds + " ms");
                Done(client.SendAsync("still here"), "send after cancel");
                Check.Equal("still here", Get(client.ReceiveAsync(), "receive after cancel").Text, "usable after a cancelled receive");

                // SendAsync and CloseAsync with a cancelled token.
                var cancelled = new CancellationToken(true);
                ExpectCanceled(() => Done(client.SendAsync("never", cancelled), "send"), "SendAsync");
                ExpectCanceled(() => Done(client.CloseAsync(1000, "", cancelled), "close"), "CloseAsync");
            }

            // ConnectAsync to a server that accepts TCP and never answers the upgrade.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                int silent = ((IPEndPoint)listener.LocalEndpoint).Port;
                var client = new AsyncWebSocketClient(new WebSocketOptions());
                var cts = new CancellationTokenSource(150);
                var watch = Stopwatch.StartNew();
                ExpectCanceled(() => Done(client.ConnectAsync(new Uri(Url(silent)), cts.Token), "connect"), "ConnectAsync");
                Check.True(watch.ElapsedMilliseconds < 3000, "prompt: " + watch.ElapsedMilliseconds + " ms");
                Check.Equal(WebSocketState.Closed, client.State, "torn down");
                Check.Throws<ObjectDisposedException>(() => client.ReceiveAsync(), "a cancelled connect ends the client");
            }
            finally
            {
                listener.Stop();
            }
        }

        private static void ExpectCanceled(Action call, string what)
        {
            try
            {
                call();
            }
            catch (Exception e)
            {
                Exception inner = e is AggregateException ? e.InnerException : e;
                if (inner is OperationCanceledException) return;
                throw new Exception(what + ": expected OperationCanceledException, got " + inner);
            }
            throw new Exception(what + " was not cancelled");
        }

        // The loop a .NET program writes (what `await foreach` compiles to), ending on close.
        private static void ReceiveLoopEndsOnClose()
        {
            int port = PeerProcess.FreePort();
            var options = new WebSocketOptions();
            options.Reconnect.Enabled = false;
            using (PeerProcess server = PeerProcess.Start(PeerKind.Rust, port, null))
            using (AsyncWebSocketClient client = Connected(port, options))
            {
                for (int i = 0; i < 5; i++) Done(client.SendAsync("m" + i), "send");
                IAsyncEnumerator<WebSocketMessage> e = client.ReceiveAllAsync().GetAsyncEnumerator();
                var got = new List<string>();
                while (got.Count < 5 && Get(e.MoveNextAsync(), "MoveNextAsync"))
                {
                    got.Add(e.Current.Text);
                }
                Check.Equal("m0,m1,m2,m3,m4", string.Join(",", got), "in order");
                server.Kill();
                Check.True(!Get(e.MoveNextAsync(), "MoveNextAsync at the end"), "the loop ends when the connection does");
                Check.Equal((ushort)1006, e.Current.CloseStatus, "dropped without a close frame");
                Done(e.DisposeAsync(), "DisposeAsync");
            }
        }

        private static void Reconnect()
        {
            int port = PeerProcess.FreePort();
            var options = new WebSocketOptions();
            options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(50);
            options.Reconnect.Jitter = false;
            PeerProcess server = PeerProcess.Start(PeerKind.Rust, port, null);
            using (AsyncWebSocketClient client = Connected(port, options))
            {
                int reconnected = 0;
                client.OnReconnected += () => Interlocked.Increment(ref reconnected);
                Done(client.SendAsync("before"), "send");
                Check.Equal("before", Get(client.ReceiveAsync(), "echo").Text, "before the drop");
                server.Dispose();
                server = PeerProcess.Start(PeerKind.Rust, port, null);
                var watch = Stopwatch.StartNew();
                while (Volatile.Read(ref reconnected) == 0 && watch.ElapsedMilliseconds < Wait) Thread.Sleep(10);
                Check.Equal(1, Volatile.Read(ref reconnected), "reconnected");
                Done(client.SendAsync("after"), "send after reconnect");
                Check.Equal("after", Get(client.ReceiveAsync(), "echo after reconnect").Text, "after the reconnect");
            }
            server.Dispose();
        }

        // A send queue of 2: most sends find it full and must wait for room, none may throw.
        private static void BackPressure()
        {
            // More than loopback's socket buffers hold, so the queue of 2 must fill while the server reads
            // nothing (however fast or slow this process sends: a send may go straight to the socket).
            const int Count = 400;
            const int Size = 64 * 1024;
            const long FrameBytes = Size + 14; // 64-bit length and a masking key (RFC 6455 §5.2)
            var options = new WebSocketOptions { SendQueueMaxMessages = 2, PingInterval = TimeSpan.Zero };
            options.Reconnect.Enabled = false;
            using (var server = new GatedSink())
            using (AsyncWebSocketClient client = Connected(server.Port, options))
            {
                var payload = new byte[Size];
                int waited = 0;
                for (int i = 0; i < Count; i++)
                {
                    BitConverter.GetBytes(i).CopyTo(payload, 0);
                    ValueTask v = client.SendAsync((byte[])payload.Clone());
                    if (!v.IsCompleted)
                    {
                        waited++;
                        server.Release();
                        Done(v, "send " + i); // in order: wait for this one before the next
                    }
                }
                Check.True(waited > 0, "the queue was full at least once (" + waited + " sends waited)");
                var watch = Stopwatch.StartNew();
                while (server.Bytes < Count * FrameBytes && watch.ElapsedMilliseconds < Wait) Thread.Sleep(5);
                Check.Equal(Count * FrameBytes, server.Bytes, "bytes of " + Count + " frames the server read");
                server.Dispose(); // it never answers a Close: end the connection instead of waiting for one
            }
        }

        /// <summary>
        /// Answers one WebSocket upgrade, then reads nothing until <see cref="Release"/>; from then on reads and counts
        /// every byte until the client goes. It never answers a Close: disposing it ends the connection.
        /// </summary>
        private sealed class GatedSink : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly ManualResetEventSlim _released = new ManualResetEventSlim(false);
            private readonly Thread _thread;
            private TcpClient _tcp;
            private long _bytes;

            public GatedSink()
            {
                _listener.Start();
                Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
                _thread = new Thread(Serve) { IsBackground = true, Name = "gated sink" };
                _thread.Start();
            }

            public int Port { get; }

            public long Bytes => Interlocked.Read(ref _bytes);

            public void Release() => _released.Set();

            public void Dispose()
            {
                _released.Set();
                _listener.Stop();
                _tcp?.Close();
                _thread.Join(Wait);
            }

            private void Serve()
            {
                try
                {
                    _tcp = _listener.AcceptTcpClient();
                    NetworkStream stream = _tcp.GetStream();
                    string key = null;
                    foreach (string line in ReadHead(stream).Split(new[] { "\r\n" }, StringSplitOptions.None))
                    {
                        if (line.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))
                        {
                            key = line.Substring(line.IndexOf(':') + 1).Trim();
                        }
                    }
                    byte[] hash = System.Security.Cryptography.SHA1.Create()
                        .ComputeHash(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
                    byte[] answer = Encoding.ASCII.GetBytes(
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + Convert.ToBase64String(hash) + "\r\n\r\n");
                    stream.Write(answer, 0, answer.Length);
                    _released.Wait(Wait);
                    var buffer = new byte[64 * 1024];
                    int n;
                    while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        Interlocked.Add(ref _bytes, n);
                    }
                }
                catch (Exception)
                {
                    // Disposed: the listener or the connection was closed under us.
                }
            }

            private static string ReadHead(NetworkStream stream)
            {
                var head = new StringBuilder();
                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                {
                    int b = stream.ReadByte();
                    if (b < 0) throw new InvalidOperationException("closed during the upgrade");
                    head.Append((char)b);
                }
                return head.ToString();
            }
        }

        private static void Allocation()
        {
            const int Messages = 1000;
            int port = PeerProcess.FreePort();
            using (PeerProcess.Start(PeerKind.Rust, port, null))
            using (AsyncWebSocketClient client = Connected(port))
            {
                var payload = new ReadOnlyMemory<byte>(new byte[256]);
                const string text = "{\"op\":\"move\",\"x\":1}";
                for (int round = 0; round < 3; round++)
                {
                    for (int i = 0; i < 100; i++) { Done(client.SendAsync(payload), "warm"); Done(client.SendAsync(text), "warm"); }
                    for (int i = 0; i < 200; i++) Get(client.ReceiveAsync(), "warm echo");
                }
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < Messages; i++)
                {
                    Done(client.SendAsync(payload), "send");
                    Done(client.SendAsync(text), "send");
                }
                long sendBytes = GC.GetAllocatedBytesForCurrentThread() - before;
                // Let every echo reach the client's queue first (not just the engine: the pump thread
                // moves it), so each ReceiveAsync completes at once.
                var watch = Stopwatch.StartNew();
                while (client.Available < 2 * Messages && watch.ElapsedMilliseconds < Wait) Thread.Sleep(5);
                Check.Equal(2 * Messages, client.Available, "echoes queued for ReceiveAsync");
                before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 2 * Messages; i++) Get(client.ReceiveAsync(), "echo");
                long receiveBytes = GC.GetAllocatedBytesForCurrentThread() - before;
                Console.WriteLine("     async client: {0} B per SendAsync, {1} B per ReceiveAsync on the caller's thread (the pump thread allocates each payload array)",
                    sendBytes / (2.0 * Messages), receiveBytes / (2.0 * Messages));
                Check.Equal(0L, sendBytes, "bytes allocated by " + (2 * Messages) + " SendAsync calls");
                Check.Equal(0L, receiveBytes, "bytes allocated by " + (2 * Messages) + " ReceiveAsync calls that found a message");
            }
        }
    }
}
