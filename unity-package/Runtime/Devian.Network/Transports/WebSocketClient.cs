using System;
using System.Text;
using System.Threading;

namespace Devian.Network.Transports
{
    /// <summary>
    /// A WebSocket client for games: text and binary messages (<see cref="Send(ReadOnlySpan{byte})"/>,
    /// <see cref="SendText(string)"/>, <see cref="OnMessage"/>), and FrameV1 on top of them for a
    /// <see cref="NetworkClient"/> (seed 004: <see cref="SendFrame(int, ReadOnlySpan{byte})"/>, and binary
    /// messages dispatched to <see cref="INetRuntime"/>). The I/O runs on the engine's own threads; this
    /// class is the game-thread side.
    /// </summary>
    /// <remarks>
    /// <para><b>Threading.</b> The methods are for one owner thread (the Unity main thread): the
    /// thread that first calls <see cref="Connect"/> becomes the owner, and <see cref="Connect"/>,
    /// <see cref="SendFrame(ReadOnlySpan{byte})"/>, <see cref="Close()"/> and <see cref="Update()"/>
    /// called from any other thread throw <see cref="InvalidOperationException"/>.
    /// <see cref="Dispose"/> may be called from any thread; the properties may be read from any thread.</para>
    /// <para><b>Events</b> are raised only inside <see cref="Update()"/>, on the owner thread, in the
    /// order the engine produced them. An exception thrown by an event handler propagates out of
    /// <see cref="Update()"/> (the remaining events stay queued for the next call). Exceptions thrown by
    /// the <see cref="INetRuntime"/> never do: <see cref="NetworkClient"/> counts them.</para>
    /// <para><b>Hot path.</b> Every send (<see cref="Send(ReadOnlySpan{byte})"/>, <see cref="SendText(string)"/>,
    /// <see cref="SendFrame(int, ReadOnlySpan{byte})"/>...) and the message path of <see cref="Update()"/>
    /// allocate nothing: a message is written once, straight into a pooled native buffer (the FrameV1
    /// header and payload, or the UTF-8 encoding of a string), and received messages are handed out as
    /// spans over the pooled native buffer, which is reused as soon as the handlers return.</para>
    /// <para><b>Dispose</b> closes the connection (1001, going away) and frees it. Afterwards every
    /// method throws <see cref="ObjectDisposedException"/>; <see cref="IsOpen"/> returns false and
    /// <see cref="State"/> returns <see cref="WebSocketState.Closed"/>, because property getters should not throw.
    /// If the client is never disposed, the native handle is still freed by its finalizer, exactly once.
    /// On WebGL there is no such safety net: the browser socket stays open until the page unloads, so
    /// always dispose the client (<c>WebSocketBehaviour</c> does).</para>
    /// </remarks>
    public sealed class WebSocketClient : IDisposable
    {
        private readonly NetworkClient _core;
        private readonly int _sessionId;
        private readonly WebSocketOptions _options;
        private readonly Func<IWebSocketTransport> _transportFactory;

        private IWebSocketTransport _transport;
        private int _ownerThreadId;
        private int _disposed;
        private bool _closeRaised;
        private long _unsentMessages;
        private long _handlerErrors;
        private WebSocketStatistics _lastStatistics;
        private string _protocol = string.Empty;
        private long _ignoredTextMessages;

        // Throws on unpaired surrogates instead of sending U+FFFD in their place.
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>
        /// Creates a message-level client (no FrameV1 dispatch): read <see cref="OnMessage"/>, send with
        /// <see cref="Send(ReadOnlySpan{byte})"/> and <see cref="SendText(string)"/>.
        /// </summary>
        /// <param name="options">Connection options; null for the defaults.</param>
        public WebSocketClient(WebSocketOptions options = null)
            : this(null, options ?? new WebSocketOptions(), 0, TransportFactory.CreateDefault)
        {
        }

        /// <summary>Creates a client with default <see cref="WebSocketOptions"/>.</summary>
        /// <param name="core">Receives every complete inbound binary message as a FrameV1 frame.</param>
        /// <param name="sessionId">Passed through to <see cref="INetRuntime.TryDispatchInbound"/>.</param>
        public WebSocketClient(NetworkClient core, int sessionId = 0)
            : this(RequireCore(core), new WebSocketOptions(), sessionId)
        {
        }

        /// <summary>Creates a client with the given options (read at each <see cref="Connect"/>).</summary>
        public WebSocketClient(NetworkClient core, WebSocketOptions options, int sessionId = 0)
            : this(RequireCore(core), options, sessionId, TransportFactory.CreateDefault)
        {
        }

        private static NetworkClient RequireCore(NetworkClient core)
        {
            if (core == null)
            {
                throw new ArgumentNullException("core", "use the WebSocketClient(WebSocketOptions) constructor for a client without FrameV1 dispatch");
            }
            return core;
        }

        /// <summary>
        /// Creates a client over a specific transport (tests, alternative platforms); <paramref name="core"/>
        /// is the FrameV1 dispatcher, or null for a message-level client.
        /// </summary>
        internal WebSocketClient(NetworkClient core, WebSocketOptions options, int sessionId, Func<IWebSocketTransport> transportFactory)
        {
            if (options == null)
            {
                throw new ArgumentNullException("options");
            }
            _core = core;
            _options = options;
            _sessionId = sessionId;
            _transportFactory = transportFactory;
        }

        /// <summary>
        /// Raised from <see cref="Update()"/> for every text and binary message, in order; the span is valid
        /// only during the call (see <see cref="WebSocketMessageHandler"/>). With a <see cref="NetworkClient"/>,
        /// binary messages are then also dispatched as FrameV1 frames. A handler that throws is counted in
        /// <see cref="HandlerErrorCount"/> and reported through <see cref="OnError"/>; later subscribers of
        /// that message are skipped (invoking them one by one would allocate per message).
        /// </summary>
        public event WebSocketMessageHandler OnMessage;

        /// <summary>
        /// Raised from <see cref="Update()"/> when the handshake completed; after a reconnect it is raised
        /// again (before <see cref="OnReconnected"/>), so per-connection setup can live here.
        /// </summary>
        public event Action OnOpen;

        /// <summary>
        /// Raised from <see cref="Update()"/> exactly once per connection when it is finally closed:
        /// close code (RFC 6455 §7.4; 1006 when it dropped without a close frame) and reason.
        /// With reconnect enabled a drop raises <see cref="OnReconnecting"/> instead, and OnClose only
        /// follows once the attempts are exhausted or the connection is closed on purpose.
        /// <see cref="Close(ushort, string)"/> sends what SendFrame accepted first; read
        /// <see cref="UnsentMessages"/> in the handler for what the close timeout left unsent.
        /// </summary>
        public event Action<ushort, string> OnClose;

        /// <summary>
        /// Messages accepted by a send that the connection ended before sending, as of the last
        /// <see cref="OnClose"/> (set just before it is raised); 0 when everything went out.
        /// </summary>
        public long UnsentMessages { get { return _unsentMessages; } }

        /// <summary>
        /// Exceptions thrown by OnOpen/OnClose/OnError/OnReconnecting/OnReconnected/OnAuthenticated
        /// subscribers. Each is caught, counted here and (unless it came from an OnError subscriber)
        /// raised through <see cref="OnError"/> as a <see cref="WebSocketHandlerException"/>; the other
        /// subscribers of the event still run.
        /// </summary>
        public long HandlerErrorCount { get { return Interlocked.Read(ref _handlerErrors); } }

        /// <summary>Raised from <see cref="Update()"/> for connection errors (a <see cref="WebSocketClientException"/>).</summary>
        public event Action<Exception> OnError;

        /// <summary>Raised from <see cref="Update()"/> when a reconnect attempt is scheduled: attempt number (1-based) and delay.</summary>
        public event Action<int, TimeSpan> OnReconnecting;

        /// <summary>Raised from <see cref="Update()"/> when a reconnect succeeded; buffered sends are then delivered.</summary>
        public event Action OnReconnected;

        /// <summary>Raised from <see cref="Update()"/> when the configured authentication completed.</summary>
        public event Action OnAuthenticated;

        /// <summary>The session id passed to the runtime.</summary>
        public int SessionId { get { return _sessionId; } }

        /// <summary>The options read at <see cref="Connect"/>.</summary>
        public WebSocketOptions Options { get { return _options; } }

        /// <summary>The FrameV1 dispatcher binary messages go to; null for a message-level client.</summary>
        public NetworkClient Core { get { return _core; } }

        /// <summary>Whether the connection is open and usable (live engine state; false after Dispose).</summary>
        public bool IsOpen { get { return State == WebSocketState.Open; } }

        /// <summary>The live connection state; <see cref="WebSocketState.Closed"/> before Connect and after Dispose.</summary>
        public WebSocketState State
        {
            get
            {
                IWebSocketTransport t = Volatile.Read(ref _transport);
                if (t == null || Volatile.Read(ref _disposed) != 0)
                {
                    return WebSocketState.Closed;
                }
                return t.State;
            }
        }

        /// <summary>The sub-protocol the server selected (RFC 6455 §4.2.2), as of the last <see cref="OnOpen"/>; empty if none.</summary>
        public string Protocol { get { return _protocol; } }

        /// <summary>Text messages received while <see cref="OnMessage"/> had no subscriber (FrameV1 travels as binary).</summary>
        public long IgnoredTextMessages { get { return Interlocked.Read(ref _ignoredTextMessages); } }

        /// <summary>
        /// A snapshot of the connection's counters (all zero before Connect). After Dispose, the last
        /// snapshot taken as it was disposed, so the final counters are not lost.
        /// </summary>
        public WebSocketStatistics Statistics
        {
            get
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    return _lastStatistics;
                }
                IWebSocketTransport t = Volatile.Read(ref _transport);
                if (t == null)
                {
                    return default(WebSocketStatistics);
                }
                WebSocketStatistics stats;
                TransportStatus status = t.GetStatistics(out stats);
                ThrowOnFailure(status, t, "Statistics");
                return stats;
            }
        }

        /// <summary>
        /// Starts connecting and returns at once; <see cref="OnOpen"/> (or <see cref="OnClose"/>/<see cref="OnError"/>)
        /// follows from <see cref="Update()"/>. The calling thread becomes the owner thread.
        /// May be called again only after the previous connection's <see cref="OnClose"/> was raised.
        /// </summary>
        /// <param name="url"><c>ws://</c> or <c>wss://</c> URL.</param>
        /// <param name="subProtocols">Sub-protocols to offer (RFC 6455 §1.9), most preferred first; may be null.</param>
        /// <exception cref="ArgumentException">The URL, a sub-protocol or an option value is rejected.</exception>
        /// <exception cref="InvalidOperationException">Already connected, or called from a thread other than the owner.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void Connect(string url, string[] subProtocols = null)
        {
            ThrowIfDisposed();
            CheckOwnerThread("Connect");
            if (string.IsNullOrEmpty(url))
            {
                throw new ArgumentException("url must not be empty", "url");
            }
            _options.Validate();
            IWebSocketTransport previous = _transport;
            if (previous != null && !_closeRaised)
            {
                throw new InvalidOperationException(
                    "WebSocketClient is already connected (state " + previous.State + "); call Close() and wait for OnClose before connecting again");
            }

            IWebSocketTransport transport = _transportFactory();
            TransportStatus status;
            try
            {
                status = transport.Connect(url, subProtocols, _options);
            }
            catch (Exception)
            {
                // E.g. NotSupportedException for an option the platform cannot honour (WebGL).
                transport.Dispose();
                throw;
            }
            if (status != TransportStatus.Ok)
            {
                string message = transport.LastError();
                transport.Dispose();
                throw ToException(status, "Connect", message);
            }

            Interlocked.CompareExchange(ref _ownerThreadId, Thread.CurrentThread.ManagedThreadId, 0);
            _closeRaised = false;
            _unsentMessages = 0;
            _protocol = string.Empty;
            Volatile.Write(ref _transport, transport);
            if (previous != null)
            {
                previous.Dispose();
            }
            if (Volatile.Read(ref _disposed) != 0)
            {
                // Dispose ran on another thread meanwhile and may have missed the new transport.
                transport.Dispose();
                throw new ObjectDisposedException(GetType().FullName);
            }
        }

        /// <summary>Queues one binary message; the bytes are copied once into a pooled native buffer.</summary>
        /// <exception cref="WebSocketQueueFullException">The bounded send queue is full; nothing was queued.</exception>
        /// <exception cref="InvalidOperationException">Not connected (before Connect, or closed without reconnect buffering), or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void Send(ReadOnlySpan<byte> data)
        {
            Send(data, WebSocketMessageKind.Binary);
        }

        /// <summary>Queues one message of <paramref name="kind"/>; text must be UTF-8 (RFC 6455 §5.6).</summary>
        /// <exception cref="ArgumentException">Text that is not valid UTF-8, or an unknown kind.</exception>
        /// <exception cref="WebSocketQueueFullException">The bounded send queue is full; nothing was queued.</exception>
        /// <exception cref="InvalidOperationException">Not connected, or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void Send(ReadOnlySpan<byte> data, WebSocketMessageKind kind)
        {
            IWebSocketTransport t = BeginSend("Send");
            if (kind != WebSocketMessageKind.Text && kind != WebSocketMessageKind.Binary)
            {
                throw new ArgumentException("kind must be Text or Binary", "kind");
            }
            ThrowOnFailure(t.Send((TransportMessageKind)kind, data), t, "Send");
        }

        /// <summary>
        /// Queues <paramref name="text"/> as one text message, encoded as UTF-8 straight into the pooled native
        /// buffer (no intermediate array).
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
        /// <exception cref="ArgumentException">The string holds an unpaired surrogate (not encodable as UTF-8).</exception>
        /// <exception cref="WebSocketQueueFullException">The bounded send queue is full; nothing was queued.</exception>
        /// <exception cref="InvalidOperationException">Not connected, or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public unsafe void SendText(string text)
        {
            IWebSocketTransport t = BeginSend("SendText");
            if (text == null)
            {
                throw new ArgumentNullException("text");
            }
            int length;
            try
            {
                length = StrictUtf8.GetByteCount(text);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException("text holds an unpaired surrogate, which UTF-8 cannot encode", "text", e);
            }
            Span<byte> buffer;
            ThrowOnFailure(t.Reserve(length, out buffer), t, "SendText");
            if (length > 0)
            {
                fixed (char* chars = text)
                fixed (byte* bytes = buffer)
                {
                    StrictUtf8.GetBytes(chars, text.Length, bytes, length);
                }
            }
            ThrowOnFailure(t.Commit(TransportMessageKind.Text), t, "SendText");
        }

        /// <summary>
        /// Queues one pre-built FrameV1 frame (<c>[opcode:int32 LE][payload]</c>) as a binary message.
        /// Returns at once; the bytes are copied once into a pooled native buffer.
        /// </summary>
        /// <exception cref="ArgumentException">The frame is shorter than <see cref="FrameV1.HeaderSize"/>.</exception>
        /// <exception cref="WebSocketQueueFullException">The bounded send queue is full; nothing was queued.</exception>
        /// <exception cref="InvalidOperationException">Not connected (before Connect, or closed without reconnect buffering), or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void SendFrame(ReadOnlySpan<byte> frame)
        {
            IWebSocketTransport t = BeginSend("SendFrame");
            if (frame.Length < FrameV1.HeaderSize)
            {
                throw new ArgumentException(
                    "a FrameV1 frame is at least " + FrameV1.HeaderSize + " bytes (the opcode); got " + frame.Length, "frame");
            }
            TransportStatus status = t.Send(TransportMessageKind.Binary, frame);
            if (status != TransportStatus.Ok)
            {
                ThrowOnFailure(status, t, "SendFrame");
            }
        }

        /// <summary>
        /// Queues the FrameV1 frame for <paramref name="opcode"/> and <paramref name="payload"/>; the frame is
        /// built in place in the native send buffer (one copy of the payload, no intermediate array).
        /// </summary>
        /// <exception cref="WebSocketQueueFullException">The bounded send queue is full; nothing was queued.</exception>
        /// <exception cref="InvalidOperationException">Not connected, or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void SendFrame(int opcode, ReadOnlySpan<byte> payload)
        {
            IWebSocketTransport t = BeginSend("SendFrame");
            if (payload.Length > FrameV1.MaxPayloadLength)
            {
                throw new ArgumentException("payload too large for a FrameV1 frame", "payload");
            }
            Span<byte> frame;
            ThrowOnFailure(t.Reserve(FrameV1.CalculateSize(payload.Length), out frame), t, "SendFrame");
            FrameV1.Build(frame, opcode, payload);
            ThrowOnFailure(t.Commit(TransportMessageKind.Binary), t, "SendFrame");
        }

        /// <summary>
        /// Lends <paramref name="length"/> bytes of a pooled native send buffer for a message built in place
        /// (an envelope header and payload); finish with <see cref="CommitInPlace"/> or <see cref="AbortInPlace"/>.
        /// Owner thread only, like every send.
        /// </summary>
        internal Span<byte> BeginInPlace(int length, string operation)
        {
            IWebSocketTransport t = BeginSend(operation);
            Span<byte> buffer;
            ThrowOnFailure(t.Reserve(length, out buffer), t, operation);
            return buffer;
        }

        /// <summary>Queues the message built since <see cref="BeginInPlace"/>.</summary>
        internal void CommitInPlace(WebSocketMessageKind kind, string operation)
        {
            IWebSocketTransport t = BeginSend(operation);
            ThrowOnFailure(t.Commit((TransportMessageKind)kind), t, operation);
        }

        /// <summary>Drops the message begun with <see cref="BeginInPlace"/>.</summary>
        internal void AbortInPlace()
        {
            IWebSocketTransport t = _transport;
            if (t != null)
            {
                t.Abort();
            }
        }

        /// <summary>Starts a normal close (1000). Does nothing if the connection is already closing or closed.</summary>
        public void Close()
        {
            Close(CloseStatus.NormalClosure, string.Empty);
        }

        /// <summary>
        /// Starts the close handshake (RFC 6455 §7.1.2) with <paramref name="code"/> and <paramref name="reason"/>;
        /// <see cref="OnClose"/> follows from <see cref="Update()"/>. Does nothing if already closing or closed.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">The code may not be sent (see <see cref="CloseStatus.IsSendable"/>).</exception>
        /// <exception cref="ArgumentException">The reason is longer than 123 UTF-8 bytes.</exception>
        /// <exception cref="InvalidOperationException">Before Connect, or wrong thread.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void Close(ushort code, string reason)
        {
            ThrowIfDisposed();
            CheckOwnerThread("Close");
            if (!CloseStatus.IsSendable(code))
            {
                throw new ArgumentOutOfRangeException("code", code, "not a close code an endpoint may send (RFC 6455 7.4)");
            }
            if (!CloseStatus.IsReasonValid(reason))
            {
                throw new ArgumentException("the close reason must fit in " + CloseStatus.MaxReasonBytes + " UTF-8 bytes (RFC 6455 5.5)", "reason");
            }
            IWebSocketTransport t = _transport;
            if (t == null)
            {
                throw new InvalidOperationException("Close called before Connect");
            }
            WebSocketState state = t.State;
            if (_closeRaised || state == WebSocketState.Closing || state == WebSocketState.Closed)
            {
                return;
            }
            TransportStatus status = t.Close(code, reason ?? string.Empty);
            // InvalidState/Closed: the connection ended on its own between the check and the call.
            if (status != TransportStatus.Ok && status != TransportStatus.InvalidState && status != TransportStatus.Closed)
            {
                ThrowOnFailure(status, t, "Close");
            }
        }

        /// <summary>
        /// Drains the engine's queue on the calling (owner) thread: dispatches each received message to
        /// <see cref="NetworkClient.OnFrame"/> straight from native memory and raises the events.
        /// Call it once per game frame. Before Connect it does nothing.
        /// </summary>
        /// <exception cref="InvalidOperationException">Called from a thread other than the owner.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public void Update()
        {
            Update(int.MaxValue);
        }

        /// <summary>
        /// Like <see cref="Update()"/>, but handles at most <paramref name="maxEvents"/> events (messages
        /// included) so one frame's work stays bounded; the rest wait for the next call.
        /// </summary>
        /// <returns>The number of events handled.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is not positive.</exception>
        /// <exception cref="InvalidOperationException">Called from a thread other than the owner.</exception>
        /// <exception cref="ObjectDisposedException">After Dispose.</exception>
        public int Update(int maxEvents)
        {
            ThrowIfDisposed();
            CheckOwnerThread("Update");
            if (maxEvents <= 0)
            {
                throw new ArgumentOutOfRangeException("maxEvents", maxEvents, "must be positive");
            }
            IWebSocketTransport t = _transport;
            if (t == null)
            {
                return 0;
            }
            int handled = 0;
            // Stops when drained, at the bound, or when an event handler disposed the client or reconnected it.
            while (handled < maxEvents && Volatile.Read(ref _disposed) == 0 && ReferenceEquals(t, _transport))
            {
                TransportEvent ev;
                TransportStatus status = t.Poll(out ev);
                if (status == TransportStatus.Empty)
                {
                    break;
                }
                if (status != TransportStatus.Ok)
                {
                    if (Volatile.Read(ref _disposed) != 0)
                    {
                        break;
                    }
                    ThrowOnFailure(status, t, "Update");
                }
                handled++;
                try
                {
                    Dispatch(ref ev);
                }
                finally
                {
                    t.ReleaseEvent();
                }
            }
            return handled;
        }

        /// <summary>
        /// Closes the connection (1001, going away) and frees it. Safe to call more than once and from any thread;
        /// if the owner thread is inside <see cref="Update()"/>, the free waits until the message being dispatched is done.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            IWebSocketTransport t = Volatile.Read(ref _transport);
            if (t != null)
            {
                WebSocketStatistics last;
                if (t.GetStatistics(out last) == TransportStatus.Ok)
                {
                    _lastStatistics = last;
                }
                t.Dispose();
            }
        }

        private unsafe void Dispatch(ref TransportEvent ev)
        {
            switch (ev.Kind)
            {
                case TransportEventKind.Message:
                    // Straight from the pooled native buffer: no copy, no allocation.
                    var data = new ReadOnlySpan<byte>((void*)ev.Data, ev.Length);
                    WebSocketMessageHandler onMessage = OnMessage;
                    if (onMessage != null)
                    {
                        try { onMessage(data, (WebSocketMessageKind)ev.MessageKind); }
                        catch (Exception e) { HandlerFailed(e, false); }
                    }
                    if (ev.MessageKind == TransportMessageKind.Binary)
                    {
                        if (_core != null)
                        {
                            _core.OnFrame(_sessionId, data);
                        }
                    }
                    else if (onMessage == null)
                    {
                        Interlocked.Increment(ref _ignoredTextMessages);
                    }
                    break;
                case TransportEventKind.Open:
                    _protocol = Utf8(ref ev);
                    Raise(OnOpen);
                    break;
                case TransportEventKind.Closed:
                    if (!_closeRaised)
                    {
                        _closeRaised = true;
                        _unsentMessages = ev.Unsent;
                        Action<ushort, string> onClose = OnClose;
                        if (onClose != null)
                        {
                            string reason = Utf8(ref ev);
                            foreach (Action<ushort, string> h in onClose.GetInvocationList())
                            {
                                try { h(ev.Code, reason); }
                                catch (Exception e) { HandlerFailed(e, false); }
                            }
                        }
                    }
                    break;
                case TransportEventKind.Error:
                    RaiseError(new WebSocketClientException(ev.ErrorKind, Utf8(ref ev)));
                    break;
                case TransportEventKind.Reconnecting:
                    Action<int, TimeSpan> onReconnecting = OnReconnecting;
                    if (onReconnecting != null)
                    {
                        TimeSpan delay = TimeSpan.FromMilliseconds(ev.DelayMs);
                        foreach (Action<int, TimeSpan> h in onReconnecting.GetInvocationList())
                        {
                            try { h(ev.Attempt, delay); }
                            catch (Exception e) { HandlerFailed(e, false); }
                        }
                    }
                    break;
                case TransportEventKind.Reconnected:
                    Raise(OnReconnected);
                    break;
                case TransportEventKind.Authenticated:
                    Raise(OnAuthenticated);
                    break;
                default:
                    // Closing (the state says it) and kinds added by newer engines: nothing to raise.
                    break;
            }
        }

        // Lifecycle events are rare, so each subscriber is called on its own: one that throws is
        // counted and reported through OnError, and the others still run (as NetworkClient does
        // for message handlers).
        private void Raise(Action handler)
        {
            if (handler == null)
            {
                return;
            }
            foreach (Action h in handler.GetInvocationList())
            {
                try { h(); }
                catch (Exception e) { HandlerFailed(e, false); }
            }
        }

        private void RaiseError(Exception error)
        {
            Action<Exception> onError = OnError;
            if (onError == null)
            {
                return;
            }
            foreach (Action<Exception> h in onError.GetInvocationList())
            {
                try { h(error); }
                catch (Exception e) { HandlerFailed(e, true); }
            }
        }

        private void HandlerFailed(Exception e, bool inOnError)
        {
            Interlocked.Increment(ref _handlerErrors);
            if (!inOnError)
            {
                RaiseError(new WebSocketHandlerException(e));
            }
        }

        private static unsafe string Utf8(ref TransportEvent ev)
        {
            if (ev.Data == IntPtr.Zero || ev.Length <= 0)
            {
                return string.Empty;
            }
            return Encoding.UTF8.GetString((byte*)ev.Data, ev.Length);
        }

        private IWebSocketTransport BeginSend(string operation)
        {
            ThrowIfDisposed();
            CheckOwnerThread(operation);
            IWebSocketTransport t = _transport;
            if (t == null)
            {
                throw new InvalidOperationException(operation + " called before Connect");
            }
            return t;
        }

        private void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(GetType().FullName, "the WebSocketClient was disposed");
            }
        }

        private void CheckOwnerThread(string operation)
        {
            int owner = Volatile.Read(ref _ownerThreadId);
            int current = Thread.CurrentThread.ManagedThreadId;
            if (owner != 0 && owner != current)
            {
                throw new InvalidOperationException(
                    "WebSocketClient." + operation + " must be called from the thread that called Connect (managed thread " +
                    owner + "), not from thread " + current + ". Only Dispose may be called from any thread.");
            }
        }

        private void ThrowOnFailure(TransportStatus status, IWebSocketTransport t, string operation)
        {
            if (status == TransportStatus.Ok)
            {
                return;
            }
            if (Volatile.Read(ref _disposed) != 0)
            {
                // A concurrent Dispose (another thread) closed or freed the connection under this call.
                throw new ObjectDisposedException(GetType().FullName, "the WebSocketClient was disposed");
            }
            throw ToException(status, operation, t.LastError());
        }

        private static Exception ToException(TransportStatus status, string operation, string detail)
        {
            string message = operation + " failed (" + status + ")" + (string.IsNullOrEmpty(detail) ? string.Empty : ": " + detail);
            switch (status)
            {
                case TransportStatus.QueueFull:
                    return new WebSocketQueueFullException(message);
                case TransportStatus.InvalidState:
                case TransportStatus.Closed:
                    return new InvalidOperationException(message);
                case TransportStatus.InvalidHandle:
                    return new ObjectDisposedException(typeof(WebSocketClient).FullName, message + " (the native handle is gone, e.g. after dws_shutdown_all)");
                case TransportStatus.NullPointer:
                case TransportStatus.InvalidArgument:
                case TransportStatus.InvalidUtf8:
                    return new ArgumentException(message);
                default:
                    return new WebSocketClientException(0, message);
            }
        }
    }
}
