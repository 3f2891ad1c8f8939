using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Devian.Network.Transports
{
    /// <summary>
    /// <see cref="IWebSocketClient"/> over the native engine: the same connection as
    /// <see cref="WebSocketClient"/> (options, reconnect, TLS, proxies), driven by a pump thread of its own
    /// instead of <c>Update()</c>.
    /// </summary>
    /// <remarks>
    /// <para><b>Threads.</b> Every method may be called from any thread at once; sends from one thread stay
    /// in order. The pump thread waits in the engine (<c>dws_client_wait</c>) and takes each event: a
    /// message is copied into a new array (its only allocation) and handed to the waiting
    /// <see cref="ReceiveAsync"/> or queued; the events (<see cref="OnOpen"/>...) are raised on the pump
    /// thread, so keep their handlers short. Awaiting code continues on the thread pool.</para>
    /// <para><b>Back-pressure.</b> At most <see cref="WebSocketOptions.ReceiveQueueMaxMessages"/> received
    /// messages wait here; beyond that the pump stops taking them and the engine stops reading (TCP pushes
    /// back on the server). A full send queue makes <see cref="SendAsync(ReadOnlyMemory{byte}, WebSocketMessageKind, CancellationToken)"/>
    /// wait for room rather than throw.</para>
    /// <para>Not available on WebGL, whose players have no threads: use <see cref="WebSocketClient"/> there.</para>
    /// </remarks>
#if UNITY_WEBGL && !UNITY_EDITOR
    // On WebGL the class stays (shared game code compiles) but ConnectAsync refuses: fields unused there.
#pragma warning disable 0414, 0649
#endif
    public sealed class AsyncWebSocketClient : IWebSocketClient
    {
        private const int PumpWaitMs = 100;

        private readonly WebSocketOptions _options;
        private readonly Func<IWebSocketTransport> _transportFactory;
        private readonly object _gate = new object();
        private readonly object _sendGate = new object();
        private readonly Queue<WebSocketMessage> _inbox = new Queue<WebSocketMessage>();
        private readonly MessageReceiveSource _receive = new MessageReceiveSource();
        private readonly TaskCompletionSource<bool> _opened = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        private IWebSocketTransport _transport;
        private Thread _pump;
        private volatile bool _stopping;
        private bool _receivePending;
        private CancellationTokenRegistration _receiveCancel;
        private WebSocketMessage _closeMessage;
        private bool _isClosed;
        private string _protocol = string.Empty;
        private string _lastError;
        private int _disposed;

        /// <summary>A client with default options.</summary>
        public AsyncWebSocketClient()
            : this(new WebSocketOptions())
        {
        }

        /// <summary>A client with <paramref name="options"/> (read at <see cref="ConnectAsync(Uri, CancellationToken)"/>).</summary>
        public AsyncWebSocketClient(WebSocketOptions options)
            : this(options, TransportFactory.CreateDefault)
        {
        }

        internal AsyncWebSocketClient(WebSocketOptions options, Func<IWebSocketTransport> transportFactory)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            _options = options;
            _transportFactory = transportFactory;
        }

        /// <summary>
        /// Sees each received message on the pump thread before it is queued for <see cref="ReceiveAsync"/>;
        /// true claims it (a <see cref="Messaging.WebSocketConnectionManager"/>'s envelopes).
        /// </summary>
        internal MessageInterceptor Interceptor;

        /// <summary>Raised on the pump thread when the connection opened (again after each reconnect).</summary>
        public event Action OnOpen;

        /// <summary>Raised on the pump thread once the connection is finally closed: code and reason.</summary>
        public event Action<ushort, string> OnClose;

        /// <summary>Raised on the pump thread for connection errors (a <see cref="WebSocketClientException"/>).</summary>
        public event Action<Exception> OnError;

        /// <summary>Raised on the pump thread when a reconnect attempt is scheduled: attempt and delay.</summary>
        public event Action<int, TimeSpan> OnReconnecting;

        /// <summary>Raised on the pump thread when a reconnect succeeded.</summary>
        public event Action OnReconnected;

        /// <inheritdoc/>
        public WebSocketState State
        {
            get
            {
                IWebSocketTransport t = Volatile.Read(ref _transport);
                return t == null || Volatile.Read(ref _disposed) != 0 ? WebSocketState.Closed : t.State;
            }
        }

        /// <inheritdoc/>
        public string Protocol { get { return _protocol; } }

        /// <summary>
        /// Received messages waiting in this client's queue: that many <see cref="ReceiveAsync"/> calls
        /// complete at once, without allocating. Messages the engine holds but the pump thread has not
        /// queued yet are not counted.
        /// </summary>
        public int Available
        {
            get
            {
                lock (_gate)
                {
                    return _inbox.Count;
                }
            }
        }

        /// <summary>A snapshot of the connection's counters (zero before connect).</summary>
        public WebSocketStatistics Statistics
        {
            get
            {
                IWebSocketTransport t = Volatile.Read(ref _transport);
                WebSocketStatistics s;
                return t != null && t.GetStatistics(out s) == TransportStatus.Ok ? s : default(WebSocketStatistics);
            }
        }

        /// <inheritdoc/>
        public Task ConnectAsync(Uri uri, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (uri == null)
            {
                throw new ArgumentNullException("uri");
            }
            return ConnectAsync(uri.OriginalString, null, cancellationToken);
        }

        /// <summary>Connects to <paramref name="url"/> offering <paramref name="subProtocols"/>; completes once open.</summary>
        /// <exception cref="OperationCanceledException">Cancelled; the attempt is torn down.</exception>
        /// <exception cref="WebSocketClientException">The connection closed before it opened (the message says why).</exception>
        public Task ConnectAsync(string url, string[] subProtocols, CancellationToken cancellationToken = default(CancellationToken))
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
#if UNITY_WEBGL && !UNITY_EDITOR
            throw new PlatformNotSupportedException("AsyncWebSocketClient needs a thread of its own, which WebGL players lack; use WebSocketClient and Update()");
#else
            return ConnectCoreAsync(url, subProtocols, cancellationToken);
#endif
        }

#if !(UNITY_WEBGL && !UNITY_EDITOR)
        private async Task ConnectCoreAsync(string url, string[] subProtocols, CancellationToken cancellationToken)
        {
            _options.Validate();
            IWebSocketTransport t = _transportFactory();
            if (Interlocked.CompareExchange(ref _transport, t, null) != null)
            {
                t.Dispose();
                throw new InvalidOperationException("ConnectAsync may be called once per client");
            }
            TransportStatus status = t.Connect(url, subProtocols, _options);
            if (status != TransportStatus.Ok)
            {
                string why = t.LastError();
                Dispose();
                throw ToException(status, "ConnectAsync", why);
            }
            _pump = new Thread(Pump) { IsBackground = true, Name = "devian-ws-pump" };
            _pump.Start();
            using (cancellationToken.Register(s => ((TaskCompletionSource<bool>)s).TrySetCanceled(), _opened))
            {
                try
                {
                    await _opened.Task.ConfigureAwait(false);
                }
                catch
                {
                    Dispose();
                    throw;
                }
            }
        }
#endif

        /// <inheritdoc/>
        public ValueTask SendAsync(string message, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (message == null)
            {
                throw new ArgumentNullException("message");
            }
            IWebSocketTransport t = BeginSend(cancellationToken);
            TransportStatus status;
            lock (_sendGate)
            {
                status = SendText(t, message);
            }
            if (status == TransportStatus.QueueFull)
            {
                return new ValueTask(SendWhenRoomAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageKind.Text, cancellationToken));
            }
            return Finish(status, t);
        }

        /// <inheritdoc/>
        public ValueTask SendAsync(byte[] data, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (data == null)
            {
                throw new ArgumentNullException("data");
            }
            return SendAsync(new ReadOnlyMemory<byte>(data), WebSocketMessageKind.Binary, cancellationToken);
        }

        /// <inheritdoc/>
        public ValueTask SendAsync(ArraySegment<byte> data, CancellationToken cancellationToken = default(CancellationToken))
        {
            return SendAsync(new ReadOnlyMemory<byte>(data.Array, data.Offset, data.Count), WebSocketMessageKind.Binary, cancellationToken);
        }

        /// <inheritdoc/>
        public ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageKind kind = WebSocketMessageKind.Binary, CancellationToken cancellationToken = default(CancellationToken))
        {
            if (kind != WebSocketMessageKind.Text && kind != WebSocketMessageKind.Binary)
            {
                throw new ArgumentException("kind must be Text or Binary", "kind");
            }
            IWebSocketTransport t = BeginSend(cancellationToken);
            TransportStatus status = t.Send((TransportMessageKind)kind, data.Span);
            if (status == TransportStatus.QueueFull)
            {
                return new ValueTask(SendWhenRoomAsync(data, kind, cancellationToken));
            }
            return Finish(status, t);
        }

        /// <inheritdoc/>
        public ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            ThrowIfDisposed();
            short token;
            lock (_gate)
            {
                if (_inbox.Count > 0)
                {
                    WebSocketMessage m = _inbox.Dequeue();
                    Monitor.PulseAll(_gate); // the pump may be waiting for room
                    return new ValueTask<WebSocketMessage>(m);
                }
                if (_isClosed)
                {
                    return new ValueTask<WebSocketMessage>(_closeMessage);
                }
                if (Volatile.Read(ref _transport) == null)
                {
                    throw new InvalidOperationException("ReceiveAsync called before ConnectAsync");
                }
                if (_receivePending)
                {
                    throw new InvalidOperationException("one ReceiveAsync at a time");
                }
                cancellationToken.ThrowIfCancellationRequested();
                _receivePending = true;
                token = _receive.Reset();
            }
            if (cancellationToken.CanBeCanceled)
            {
                CancellationTokenRegistration r = cancellationToken.Register(s => ((AsyncWebSocketClient)s).CancelReceive(), this);
                lock (_gate)
                {
                    _receiveCancel = r;
                }
            }
            return new ValueTask<WebSocketMessage>(_receive, token);
        }

        /// <inheritdoc/>
        public IAsyncEnumerable<WebSocketMessage> ReceiveAllAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return new MessageStream(this, cancellationToken);
        }

        /// <inheritdoc/>
        public async Task CloseAsync(ushort code = CloseStatus.NormalClosure, string reason = "", CancellationToken cancellationToken = default(CancellationToken))
        {
            ThrowIfDisposed();
            IWebSocketTransport t = Volatile.Read(ref _transport);
            if (t == null)
            {
                throw new InvalidOperationException("CloseAsync called before ConnectAsync");
            }
            cancellationToken.ThrowIfCancellationRequested();
            TransportStatus status = t.Close(code, reason ?? string.Empty);
            if (status != TransportStatus.Ok && status != TransportStatus.Closed && status != TransportStatus.InvalidState)
            {
                throw ToException(status, "CloseAsync", t.LastError());
            }
            if (cancellationToken.CanBeCanceled && !_closed.Task.IsCompleted)
            {
                // Cancelling stops this wait only: the handshake goes on, and _closed is shared with
                // every other caller, so it must never be cancelled itself.
                var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(s => ((TaskCompletionSource<bool>)s).TrySetResult(true), cancelled))
                {
                    if (await Task.WhenAny(_closed.Task, cancelled.Task).ConfigureAwait(false) != _closed.Task)
                    {
                        throw new OperationCanceledException("CloseAsync was cancelled; the close handshake goes on", cancellationToken);
                    }
                }
            }
            await _closed.Task.ConfigureAwait(false);
        }

        /// <summary>Closes (1001) and frees the connection; pending calls fail with <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            _stopping = true;
            IWebSocketTransport t = Volatile.Read(ref _transport);
            if (t != null)
            {
                t.Dispose(); // the pump's wait returns at once
            }
            Thread pump = _pump;
            if (pump != null && pump != Thread.CurrentThread)
            {
                pump.Join(2000);
            }
            var disposed = new ObjectDisposedException(GetType().FullName);
            _opened.TrySetException(disposed);
            _closed.TrySetResult(true);
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
            FailReceive(disposed);
        }

        /// <summary>As <see cref="Dispose"/>.</summary>
        public ValueTask DisposeAsync()
        {
            Dispose();
            return default(ValueTask);
        }

        // --- sending ---------------------------------------------------------------------------------

        private IWebSocketTransport BeginSend(CancellationToken cancellationToken)
        {
            ThrowIfDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            IWebSocketTransport t = Volatile.Read(ref _transport);
            if (t == null)
            {
                throw new InvalidOperationException("SendAsync called before ConnectAsync");
            }
            return t;
        }

        // The string is encoded straight into the reserved native buffer; the lock keeps the one
        // reservation per connection to one thread at a time.
        private static unsafe TransportStatus SendText(IWebSocketTransport t, string message)
        {
            int length = Encoding.UTF8.GetByteCount(message);
            Span<byte> buffer;
            TransportStatus status = t.Reserve(length, out buffer);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            if (length > 0)
            {
                fixed (char* chars = message)
                fixed (byte* bytes = buffer)
                {
                    Encoding.UTF8.GetBytes(chars, message.Length, bytes, length);
                }
            }
            return t.Commit(TransportMessageKind.Text);
        }

        private ValueTask Finish(TransportStatus status, IWebSocketTransport t)
        {
            ThrowUnlessSent(status, t);
            return default(ValueTask);
        }

        private void ThrowUnlessSent(TransportStatus status, IWebSocketTransport t)
        {
            if (status == TransportStatus.Ok)
            {
                return;
            }
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(GetType().FullName);
            }
            throw ToException(status, "SendAsync", t.LastError());
        }

        // Back-pressure as an await: retry with a growing pause until the queue takes it.
        private async Task SendWhenRoomAsync(ReadOnlyMemory<byte> data, WebSocketMessageKind kind, CancellationToken cancellationToken)
        {
            int pauseMs = 1;
            while (true)
            {
                await Task.Delay(pauseMs, cancellationToken).ConfigureAwait(false);
                IWebSocketTransport t = BeginSend(cancellationToken);
                TransportStatus status = t.Send((TransportMessageKind)kind, data.Span);
                if (status != TransportStatus.QueueFull)
                {
                    ThrowUnlessSent(status, t);
                    return;
                }
                pauseMs = Math.Min(pauseMs * 2, 50);
            }
        }

        /// <summary>
        /// Lends a native send buffer for a message built in place (any thread; the send lock is held until
        /// <see cref="CommitInPlace"/> or <see cref="AbortInPlace"/>, which the same thread must call).
        /// </summary>
        internal Span<byte> BeginInPlace(int length, string operation)
        {
            IWebSocketTransport t = BeginSend(default(CancellationToken));
            Monitor.Enter(_sendGate);
            Span<byte> buffer;
            TransportStatus status = t.Reserve(length, out buffer);
            if (status != TransportStatus.Ok)
            {
                Monitor.Exit(_sendGate);
                throw ToException(status, operation, t.LastError());
            }
            return buffer;
        }

        /// <summary>Queues the message begun with <see cref="BeginInPlace"/> and releases the send lock.</summary>
        internal void CommitInPlace(WebSocketMessageKind kind, string operation)
        {
            try
            {
                IWebSocketTransport t = _transport;
                TransportStatus status = t.Commit((TransportMessageKind)kind);
                if (status != TransportStatus.Ok)
                {
                    throw ToException(status, operation, t.LastError());
                }
            }
            finally
            {
                Monitor.Exit(_sendGate);
            }
        }

        /// <summary>Drops the message begun with <see cref="BeginInPlace"/> and releases the send lock.</summary>
        internal void AbortInPlace()
        {
            try
            {
                _transport.Abort();
            }
            finally
            {
                Monitor.Exit(_sendGate);
            }
        }

        /// <summary>Whether the connection is open now.</summary>
        internal bool IsOpen { get { return State == WebSocketState.Open; } }

        // --- receiving -------------------------------------------------------------------------------

        private void CancelReceive()
        {
            FailReceive(new OperationCanceledException("ReceiveAsync was cancelled"));
        }

        private void FailReceive(Exception error)
        {
            CancellationTokenRegistration r;
            lock (_gate)
            {
                if (!_receivePending)
                {
                    return;
                }
                _receivePending = false;
                r = _receiveCancel;
                _receiveCancel = default(CancellationTokenRegistration);
            }
            r.Dispose();
            _receive.SetException(error);
        }

        private void Deliver(WebSocketMessage message)
        {
            CancellationTokenRegistration r;
            lock (_gate)
            {
                if (!_receivePending)
                {
                    _inbox.Enqueue(message);
                    return;
                }
                _receivePending = false;
                r = _receiveCancel;
                _receiveCancel = default(CancellationTokenRegistration);
            }
            r.Dispose();
            _receive.SetResult(message);
        }

        // --- the pump thread -------------------------------------------------------------------------

        private void Pump()
        {
            IWebSocketTransport t = _transport;
            int bound = Math.Max(1, _options.ReceiveQueueMaxMessages);
            try
            {
                while (!_stopping && !_isClosed)
                {
                    lock (_gate)
                    {
                        // Receiver behind: leave the messages in the engine (it stops reading).
                        while (_inbox.Count >= bound && !_stopping)
                        {
                            Monitor.Wait(_gate, PumpWaitMs);
                        }
                    }
                    if (t.Wait(PumpWaitMs) != TransportStatus.Ok)
                    {
                        continue;
                    }
                    TransportEvent ev;
                    while (!_stopping && HasRoom(bound) && t.Poll(out ev) == TransportStatus.Ok)
                    {
                        try
                        {
                            Handle(ref ev);
                        }
                        finally
                        {
                            t.ReleaseEvent();
                        }
                    }
                }
            }
            catch (ObjectDisposedException)
            {
                // Disposed under us: Dispose completes what is pending.
            }
        }

        private bool HasRoom(int bound)
        {
            lock (_gate)
            {
                return _inbox.Count < bound;
            }
        }

        private unsafe void Handle(ref TransportEvent ev)
        {
            switch (ev.Kind)
            {
                case TransportEventKind.Message:
                    var span = new ReadOnlySpan<byte>((void*)ev.Data, ev.Length);
                    MessageInterceptor interceptor = Interceptor;
                    if (interceptor != null && interceptor(span, (WebSocketMessageKind)ev.MessageKind))
                    {
                        break;
                    }
                    var data = span.ToArray();
                    Deliver(new WebSocketMessage((WebSocketMessageKind)ev.MessageKind, data, 0, null));
                    break;
                case TransportEventKind.Open:
                    _protocol = Utf8(ref ev);
                    _opened.TrySetResult(true);
                    Raise(OnOpen);
                    break;
                case TransportEventKind.Error:
                    _lastError = Utf8(ref ev);
                    RaiseError(new WebSocketClientException(ev.ErrorKind, _lastError));
                    break;
                case TransportEventKind.Reconnecting:
                    Action<int, TimeSpan> reconnecting = OnReconnecting;
                    int attempt = ev.Attempt;
                    TimeSpan delay = TimeSpan.FromMilliseconds(ev.DelayMs);
                    if (reconnecting != null) Guard(() => reconnecting(attempt, delay));
                    break;
                case TransportEventKind.Reconnected:
                    Raise(OnReconnected);
                    break;
                case TransportEventKind.Closed:
                    string reason = Utf8(ref ev);
                    ushort code = ev.Code;
                    lock (_gate)
                    {
                        _closeMessage = new WebSocketMessage(WebSocketMessageKind.Close, null, code, reason);
                        _isClosed = true;
                    }
                    _opened.TrySetException(new WebSocketClientException(0,
                        "the connection closed before it opened (" + code + (_lastError != null ? ": " + _lastError : string.Empty) + ")"));
                    Deliver(_closeMessage);
                    _closed.TrySetResult(true);
                    Action<ushort, string> onClose = OnClose;
                    if (onClose != null) Guard(() => onClose(code, reason));
                    break;
            }
        }

        private void Raise(Action handler)
        {
            if (handler != null) Guard(handler);
        }

        private void RaiseError(Exception e)
        {
            Action<Exception> handler = OnError;
            if (handler == null) return;
            try { handler(e); }
            catch (Exception) { /* an OnError handler's own failure has nowhere to go */ }
        }

        // A throwing handler must not stop the pump: it is reported through OnError.
        private void Guard(Action call)
        {
            try { call(); }
            catch (Exception e) { RaiseError(new WebSocketHandlerException(e)); }
        }

        private static unsafe string Utf8(ref TransportEvent ev)
        {
            return ev.Length == 0 ? string.Empty : Encoding.UTF8.GetString((byte*)ev.Data, ev.Length);
        }

        private void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(GetType().FullName);
            }
        }

        private static Exception ToException(TransportStatus status, string operation, string detail)
        {
            string message = operation + " failed (" + status + ")" + (string.IsNullOrEmpty(detail) ? string.Empty : ": " + detail);
            switch (status)
            {
                case TransportStatus.InvalidState:
                case TransportStatus.Closed:
                    return new InvalidOperationException(message);
                case TransportStatus.NullPointer:
                case TransportStatus.InvalidArgument:
                case TransportStatus.InvalidUtf8:
                    return new ArgumentException(message);
                case TransportStatus.InvalidHandle:
                    return new ObjectDisposedException(typeof(AsyncWebSocketClient).FullName, message);
                default:
                    return new WebSocketClientException(0, message);
            }
        }

        /// <summary>
        /// The hand-written async enumerator behind <see cref="ReceiveAllAsync"/> (Mono's compiler has no
        /// async iterators): each <c>MoveNextAsync</c> is a <see cref="ReceiveAsync"/>; a close ends it.
        /// </summary>
        private sealed class MessageStream : IAsyncEnumerable<WebSocketMessage>, IAsyncEnumerator<WebSocketMessage>
        {
            private readonly AsyncWebSocketClient _client;
            private readonly CancellationToken _token;
            private int _started;

            public MessageStream(AsyncWebSocketClient client, CancellationToken token)
            {
                _client = client;
                _token = token;
            }

            public WebSocketMessage Current { get; private set; }

            public IAsyncEnumerator<WebSocketMessage> GetAsyncEnumerator(CancellationToken cancellationToken = default(CancellationToken))
            {
                if (Interlocked.Exchange(ref _started, 1) != 0)
                {
                    throw new InvalidOperationException("ReceiveAllAsync can be enumerated once");
                }
                return cancellationToken.CanBeCanceled && cancellationToken != _token
                    ? new MessageStream(_client, CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken).Token)
                    : this;
            }

            public ValueTask<bool> MoveNextAsync()
            {
                ValueTask<WebSocketMessage> next = _client.ReceiveAsync(_token);
                if (next.IsCompletedSuccessfully)
                {
                    return new ValueTask<bool>(Accept(next.Result));
                }
                return new ValueTask<bool>(AwaitNext(next));
            }

            private async Task<bool> AwaitNext(ValueTask<WebSocketMessage> next)
            {
                return Accept(await next.ConfigureAwait(false));
            }

            private bool Accept(WebSocketMessage message)
            {
                Current = message;
                return !message.IsClose;
            }

            public ValueTask DisposeAsync()
            {
                return default(ValueTask);
            }
        }
    }
}
