using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Devian.Network.Transports;

namespace Devian.Network.Messaging
{
    /// <summary>Receives one message published to a subscribed topic; <paramref name="data"/> is valid during the call only.</summary>
    public delegate void TopicHandler(string topic, ReadOnlySpan<byte> data);

    /// <summary>
    /// Topics and requests over a <see cref="WebSocketClient"/> (seed 002's connection manager): subscribe,
    /// unsubscribe and publish, request/response with correlation ids, and statistics. Envelopes go through
    /// an <see cref="IEnvelopeCodec"/>: <see cref="BinaryEnvelopeCodec"/> (default) or <see cref="JsonEnvelopeCodec"/>.
    /// </summary>
    /// <remarks>
    /// Over a <see cref="WebSocketClient"/> it is used from the client's owner thread, like the client, and
    /// handlers run inside <c>Update()</c>; over an <see cref="AsyncWebSocketClient"/> any thread may call it
    /// and handlers run on the pump thread. <see cref="RequestAsync"/> may be awaited anywhere; its
    /// timeouts fire on timer threads.
    /// Subscriptions are sent again after every (re)connect. Publishing and topic dispatch allocate nothing:
    /// the envelope is written straight into the native send buffer and topics are matched as UTF-8 bytes.
    /// </remarks>
    public sealed class WebSocketConnectionManager : IDisposable
    {
        private const int LatencyWindow = 256;

        private readonly IConnection _connection;
        private readonly Action _detach;
        private readonly IEnvelopeCodec _codec;
        private readonly List<Topic> _topics = new List<Topic>();
        private readonly object _requestLock = new object();
        private readonly Dictionary<uint, Pending> _pending = new Dictionary<uint, Pending>();
        private readonly long[] _latencyTicks = new long[LatencyWindow];
        private int _latencyCount;
        private long _lastLatencyTicks;
        private uint _nextId;
        private int _nextSubscription;
        private long _messagesIn, _messagesOut, _bytesIn, _bytesOut, _reconnects, _unhandled;
        private bool _disposed;

        private sealed class Topic
        {
            public string Name;
            public byte[] Utf8;
            public readonly List<KeyValuePair<int, TopicHandler>> Handlers = new List<KeyValuePair<int, TopicHandler>>();
        }

        private sealed class Pending
        {
            public TaskCompletionSource<byte[]> Completion;
            public CancellationTokenSource Timeout;
            public long StartedTicks;
            public byte[] Data; // kept only to retry after a reconnect
        }

        /// <summary>What the manager needs of a connection: its state and a send buffer to write into.</summary>
        private interface IConnection
        {
            bool IsOpen { get; }
            Span<byte> Begin(int length, string operation);
            void Commit(WebSocketMessageKind kind, string operation);
            void Abort();
        }

        private sealed class UpdateConnection : IConnection
        {
            private readonly WebSocketClient _client;
            public UpdateConnection(WebSocketClient client) { _client = client; }
            public bool IsOpen { get { return _client.IsOpen; } }
            public Span<byte> Begin(int length, string operation) { return _client.BeginInPlace(length, operation); }
            public void Commit(WebSocketMessageKind kind, string operation) { _client.CommitInPlace(kind, operation); }
            public void Abort() { _client.AbortInPlace(); }
        }

        private sealed class AsyncConnection : IConnection
        {
            private readonly AsyncWebSocketClient _client;
            public AsyncConnection(AsyncWebSocketClient client) { _client = client; }
            public bool IsOpen { get { return _client.IsOpen; } }
            public Span<byte> Begin(int length, string operation) { return _client.BeginInPlace(length, operation); }
            public void Commit(WebSocketMessageKind kind, string operation) { _client.CommitInPlace(kind, operation); }
            public void Abort() { _client.AbortInPlace(); }
        }

        /// <summary>
        /// Manages topics and requests on <paramref name="client"/> (the <c>Update()</c> style: handlers run
        /// inside <c>Update()</c>), with <paramref name="codec"/> (binary by default).
        /// </summary>
        public WebSocketConnectionManager(WebSocketClient client, IEnvelopeCodec codec = null)
        {
            if (client == null)
            {
                throw new ArgumentNullException("client");
            }
            _connection = new UpdateConnection(client);
            _codec = codec ?? new BinaryEnvelopeCodec();
            WebSocketMessageHandler onMessage = (data, kind) => Dispatch(data, kind);
            client.OnMessage += onMessage;
            client.OnOpen += OnOpen;
            client.OnReconnecting += OnReconnecting;
            client.OnReconnected += OnReconnected;
            client.OnClose += OnClose;
            _detach = () =>
            {
                client.OnMessage -= onMessage;
                client.OnOpen -= OnOpen;
                client.OnReconnecting -= OnReconnecting;
                client.OnReconnected -= OnReconnected;
                client.OnClose -= OnClose;
            };
        }

        /// <summary>
        /// Manages topics and requests on an async <paramref name="client"/>: envelopes are taken off the
        /// message stream before <see cref="AsyncWebSocketClient.ReceiveAsync"/> sees it, and handlers run on
        /// the client's pump thread. Any thread may subscribe, publish and request. Create it before
        /// connecting, so the first subscriptions go out on open.
        /// </summary>
        public WebSocketConnectionManager(AsyncWebSocketClient client, IEnvelopeCodec codec = null)
        {
            if (client == null)
            {
                throw new ArgumentNullException("client");
            }
            if (client.Interceptor != null)
            {
                throw new InvalidOperationException("the client already has a connection manager");
            }
            _connection = new AsyncConnection(client);
            _codec = codec ?? new BinaryEnvelopeCodec();
            client.Interceptor = Dispatch;
            client.OnOpen += OnOpen;
            client.OnReconnecting += OnReconnecting;
            client.OnReconnected += OnReconnected;
            client.OnClose += OnClose;
            _detach = () =>
            {
                client.Interceptor = null;
                client.OnOpen -= OnOpen;
                client.OnReconnecting -= OnReconnecting;
                client.OnReconnected -= OnReconnected;
                client.OnClose -= OnClose;
            };
        }

        /// <summary>Requests allowed in flight at once; one more throws <see cref="InvalidOperationException"/>. Default 256.</summary>
        public int MaxPendingRequests { get; set; } = 256;

        /// <summary>
        /// When the connection drops: false (the default) fails pending requests with a
        /// <see cref="WebSocketClientException"/>; true keeps them and sends them again after the reconnect
        /// (still bounded by their timeouts).
        /// </summary>
        public bool RetryRequestsOnReconnect { get; set; }

        /// <summary>A snapshot of the counters.</summary>
        public ConnectionManagerStatistics Statistics
        {
            get
            {
                long[] window;
                long last;
                int pending;
                lock (_requestLock)
                {
                    window = new long[Math.Min(_latencyCount, LatencyWindow)];
                    Array.Copy(_latencyTicks, window, window.Length);
                    last = _lastLatencyTicks;
                    pending = _pending.Count;
                }
                Array.Sort(window);
                long sum = 0;
                foreach (long t in window) sum += t;
                TimeSpan average = window.Length == 0 ? TimeSpan.Zero : Ticks(sum / window.Length);
                return new ConnectionManagerStatistics(
                    Interlocked.Read(ref _messagesIn), Interlocked.Read(ref _messagesOut),
                    Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut),
                    Ticks(last), average, Percentile(window, 50), Percentile(window, 99),
                    Interlocked.Read(ref _reconnects), pending, SubscriptionCount(), Interlocked.Read(ref _unhandled));
            }
        }

        /// <summary>
        /// Calls <paramref name="handler"/> for every message published to <paramref name="topic"/>; returns the
        /// subscription's id for <see cref="Unsubscribe"/>. The first handler of a topic subscribes on the server.
        /// </summary>
        public int Subscribe(string topic, TopicHandler handler)
        {
            ThrowIfDisposed();
            if (string.IsNullOrEmpty(topic)) throw new ArgumentException("a topic is a non-empty string", "topic");
            if (handler == null) throw new ArgumentNullException("handler");
            lock (_topics)
            {
                Topic t = Find(topic);
                bool first = t == null;
                if (first)
                {
                    t = new Topic { Name = topic, Utf8 = Encoding.UTF8.GetBytes(topic) };
                    _topics.Add(t);
                }
                int id = ++_nextSubscription;
                t.Handlers.Add(new KeyValuePair<int, TopicHandler>(id, handler));
                if (first && _connection.IsOpen)
                {
                    Send(EnvelopeKind.Subscribe, t.Utf8, 0, ReadOnlySpan<byte>.Empty);
                }
                return id;
            }
        }

        /// <summary>Removes a subscription; the topic's last one unsubscribes on the server. False if unknown.</summary>
        public bool Unsubscribe(int subscriptionId)
        {
            ThrowIfDisposed();
            lock (_topics)
            {
                return RemoveSubscription(subscriptionId);
            }
        }

        private bool RemoveSubscription(int subscriptionId)
        {
            for (int i = 0; i < _topics.Count; i++)
            {
                Topic t = _topics[i];
                int index = t.Handlers.FindIndex(h => h.Key == subscriptionId);
                if (index < 0) continue;
                t.Handlers.RemoveAt(index);
                if (t.Handlers.Count == 0)
                {
                    _topics.RemoveAt(i);
                    if (_connection.IsOpen) Send(EnvelopeKind.Unsubscribe, t.Utf8, 0, ReadOnlySpan<byte>.Empty);
                }
                return true;
            }
            return false;
        }

        /// <summary>Publishes <paramref name="data"/> to <paramref name="topic"/> (JSON text with the JSON codec).</summary>
        public unsafe void Publish(string topic, ReadOnlySpan<byte> data)
        {
            ThrowIfDisposed();
            if (string.IsNullOrEmpty(topic)) throw new ArgumentException("a topic is a non-empty string", "topic");
            byte[] known;
            lock (_topics)
            {
                Topic t = Find(topic);
                known = t != null ? t.Utf8 : null;
            }
            if (known != null)
            {
                Send(EnvelopeKind.Publish, known, 0, data);
                return;
            }
            // An unsubscribed topic: encode its name on the stack (no allocation up to 256 bytes).
            int length = Encoding.UTF8.GetByteCount(topic);
            if (length > 256)
            {
                Send(EnvelopeKind.Publish, Encoding.UTF8.GetBytes(topic), 0, data);
                return;
            }
            byte* utf8 = stackalloc byte[length];
            fixed (char* chars = topic)
            {
                Encoding.UTF8.GetBytes(chars, topic.Length, utf8, length);
            }
            Send(EnvelopeKind.Publish, new ReadOnlySpan<byte>(utf8, length), 0, data);
        }

        /// <summary>
        /// Sends a request and completes with the data of its response. Fails with <see cref="TimeoutException"/>
        /// after <paramref name="timeout"/>, <see cref="OperationCanceledException"/> when cancelled, and
        /// <see cref="WebSocketClientException"/> when the connection drops (unless
        /// <see cref="RetryRequestsOnReconnect"/>). Call on the owner thread; await anywhere.
        /// </summary>
        /// <exception cref="InvalidOperationException"><see cref="MaxPendingRequests"/> are already in flight.</exception>
        public Task<byte[]> RequestAsync(ReadOnlySpan<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default(CancellationToken))
        {
            ThrowIfDisposed();
            if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException("timeout", "must be positive");
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending
            {
                Completion = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously),
                StartedTicks = Stopwatch.GetTimestamp(),
                Data = RetryRequestsOnReconnect ? data.ToArray() : null,
            };
            uint id;
            lock (_requestLock)
            {
                if (_pending.Count >= MaxPendingRequests)
                {
                    throw new InvalidOperationException(MaxPendingRequests + " requests are already waiting for a response");
                }
                do { id = ++_nextId; } while (id == 0 || _pending.ContainsKey(id));
                _pending.Add(id, pending);
            }
            pending.Timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            pending.Timeout.CancelAfter(timeout);
            pending.Timeout.Token.Register(() =>
            {
                if (Remove(id) != null)
                {
                    pending.Completion.TrySetException(cancellationToken.IsCancellationRequested
                        ? (Exception)new OperationCanceledException("the request was cancelled", cancellationToken)
                        : new TimeoutException("no response within " + timeout.TotalMilliseconds + " ms (request " + id + ")"));
                }
            });
            try
            {
                Send(EnvelopeKind.Request, ReadOnlySpan<byte>.Empty, id, data);
            }
            catch (Exception e)
            {
                if (Remove(id) != null) pending.Completion.TrySetException(e);
            }
            return pending.Completion.Task;
        }

        /// <summary>Detaches from the client and fails the pending requests.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _detach();
            FailAll(new ObjectDisposedException(GetType().FullName));
        }

        // Operation names for errors, indexed by EnvelopeKind (an enum's ToString allocates).
        private static readonly string[] Operations = { null, "Subscribe", "Unsubscribe", "Publish", "Message", "RequestAsync", "Response" };

        private void Send(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data)
        {
            int length = _codec.EncodedLength(kind, topic, id, data);
            string operation = Operations[(int)kind];
            Span<byte> buffer = _connection.Begin(length, operation);
            try
            {
                _codec.Encode(kind, topic, id, data, buffer);
            }
            catch
            {
                _connection.Abort();
                throw;
            }
            _connection.Commit(_codec.MessageKind, operation);
            Interlocked.Increment(ref _messagesOut);
            Interlocked.Add(ref _bytesOut, length);
        }

        // True when the message was an envelope (handled here).
        private bool Dispatch(ReadOnlySpan<byte> message, WebSocketMessageKind kind)
        {
            EnvelopeKind envelope;
            ReadOnlySpan<byte> topic, data;
            uint id;
            if (!_codec.TryDecode(message, kind, out envelope, out topic, out id, out data))
            {
                return false; // not ours: the client's other consumers have it
            }
            Interlocked.Increment(ref _messagesIn);
            Interlocked.Add(ref _bytesIn, message.Length);
            if (envelope == EnvelopeKind.Message)
            {
                lock (_topics)
                {
                    Topic t = Find(topic);
                    if (t == null || t.Handlers.Count == 0)
                    {
                        Interlocked.Increment(ref _unhandled);
                        return true;
                    }
                    for (int i = 0; i < t.Handlers.Count; i++)
                    {
                        t.Handlers[i].Value(t.Name, data);
                    }
                }
            }
            else if (envelope == EnvelopeKind.Response)
            {
                Pending p = Remove(id);
                if (p == null) return true; // timed out or cancelled already
                long rtt = Stopwatch.GetTimestamp() - p.StartedTicks;
                lock (_requestLock)
                {
                    _lastLatencyTicks = rtt;
                    _latencyTicks[_latencyCount % LatencyWindow] = rtt;
                    _latencyCount++;
                }
                p.Timeout.Dispose();
                p.Completion.TrySetResult(data.ToArray());
            }
            return true;
        }

        private void OnOpen()
        {
            lock (_topics)
            {
                foreach (Topic t in _topics)
                {
                    Send(EnvelopeKind.Subscribe, t.Utf8, 0, ReadOnlySpan<byte>.Empty);
                }
            }
            if (!RetryRequestsOnReconnect) return;
            var resend = new List<KeyValuePair<uint, Pending>>();
            lock (_requestLock)
            {
                foreach (KeyValuePair<uint, Pending> p in _pending) resend.Add(p);
            }
            foreach (KeyValuePair<uint, Pending> p in resend)
            {
                Send(EnvelopeKind.Request, ReadOnlySpan<byte>.Empty, p.Key, p.Value.Data);
            }
        }

        private void OnReconnecting(int attempt, TimeSpan delay)
        {
            if (!RetryRequestsOnReconnect)
            {
                FailAll(new WebSocketClientException(0, "the connection dropped before the response arrived"));
            }
        }

        private void OnReconnected()
        {
            Interlocked.Increment(ref _reconnects);
        }

        private void OnClose(ushort code, string reason)
        {
            FailAll(new WebSocketClientException(0, "the connection closed (" + code + ") before the response arrived"));
        }

        private void FailAll(Exception error)
        {
            List<Pending> failed;
            lock (_requestLock)
            {
                failed = new List<Pending>(_pending.Values);
                _pending.Clear();
            }
            foreach (Pending p in failed)
            {
                p.Timeout.Dispose();
                p.Completion.TrySetException(error);
            }
        }

        private Pending Remove(uint id)
        {
            lock (_requestLock)
            {
                Pending p;
                if (_pending.TryGetValue(id, out p))
                {
                    _pending.Remove(id);
                    return p;
                }
                return null;
            }
        }

        private int SubscriptionCount()
        {
            lock (_topics)
            {
                return _topics.Count;
            }
        }

        private Topic Find(string name)
        {
            foreach (Topic t in _topics) if (t.Name == name) return t;
            return null;
        }

        private Topic Find(ReadOnlySpan<byte> utf8)
        {
            foreach (Topic t in _topics) if (utf8.SequenceEqual(t.Utf8)) return t;
            return null;
        }

        private void ThrowIfDisposed()
        {
            if (_disposed) throw new ObjectDisposedException(GetType().FullName);
        }

        private static TimeSpan Ticks(long stopwatchTicks)
        {
            return TimeSpan.FromTicks((long)(stopwatchTicks * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
        }

        private static TimeSpan Percentile(long[] sorted, int percent)
        {
            if (sorted.Length == 0) return TimeSpan.Zero;
            int index = Math.Min(sorted.Length - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1);
            return Ticks(sorted[Math.Max(0, index)]);
        }
    }
}
