using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using Devian.Network.Transports;
using UnityEngine;
using UnityEngine.Events;

namespace Devian.Network.Unity
{
    /// <summary>
    /// A WebSocket connection as a component: owns a <see cref="WebSocketClient"/>, pumps its
    /// <c>Update()</c> every frame and raises open / message / close / error on the main thread,
    /// both as C# events (zero allocation) and as UnityEvents (inspector wiring).
    /// </summary>
    /// <remarks>
    /// Lifecycle: connects in <c>OnEnable</c> when <see cref="ConnectOnEnable"/> is set, closes
    /// in <c>OnDisable</c> when <see cref="CloseOnDisable"/> is set, and always closes and
    /// disposes the client in <c>OnDestroy</c> and <c>OnApplicationQuit</c>.
    /// Messages use the FrameV1 format (<c>[opcode:int32LE][payload]</c>).
    /// </remarks>
    [AddComponentMenu("Devian/Network/WebSocket")]
    [DisallowMultipleComponent]
    [HelpURL("https://example.invalid/devian-network/unity-package/README.md")]
    public sealed class WebSocketBehaviour : MonoBehaviour
    {
        /// <summary>Default server address: a local echo server, handy in samples and tests.</summary>
        public const string DefaultUrl = "ws://127.0.0.1:9001/";

        // RFC 6455 section 7.4.1: the endpoint is going away (what WebSocketClient.Dispose sends).
        private const ushort GoingAway = 1001;

        // Every live component, so the editor's shutdown hook can dispose their clients before
        // the native library shuts the connections down. Touched on the main thread only.
        private static readonly HashSet<WebSocketBehaviour> Live = new HashSet<WebSocketBehaviour>();

        [Header("Connection")]
        [Tooltip("ws:// or wss:// address of the server.")]
        [SerializeField] private string url = DefaultUrl;
        [Tooltip("Sub-protocols offered in the opening handshake (RFC 6455 section 1.9), in order of preference.")]
        [SerializeField] private string[] subProtocols = new string[0];
        [Tooltip("Optional proxy: http://[user:pass@]host:port (HTTP CONNECT), https:// (CONNECT over TLS to the proxy) or socks5:// / socks5h://host:port. Empty connects directly (or uses Options.Proxy). Refused on WebGL, where the browser picks the proxy.")]
        [SerializeField] private string proxy = "";
        [Tooltip("Session id passed to INetRuntime.TryDispatchInbound with every message.")]
        [SerializeField] private int sessionId;
        [Tooltip("Connect when the component is enabled.")]
        [SerializeField] private bool connectOnEnable = true;
        [Tooltip("Close the connection when the component is disabled.")]
        [SerializeField] private bool closeOnDisable = true;
        [Tooltip("Raise On Message / On Text Message. Each allocates a copy per message; turn off when only the C# FrameReceived event or a Runtime is used.")]
        [SerializeField] private bool raiseAllocatingMessageEvents = true;

        [Header("Events (main thread)")]
        [SerializeField] private UnityEvent m_OnOpen = new UnityEvent();
        [SerializeField] private WebSocketMessageEvent m_OnMessage = new WebSocketMessageEvent();
        [SerializeField] private WebSocketTextMessageEvent m_OnTextMessage = new WebSocketTextMessageEvent();
        [SerializeField] private WebSocketCloseEvent m_OnClose = new WebSocketCloseEvent();
        [SerializeField] private WebSocketErrorEvent m_OnError = new WebSocketErrorEvent();
        [SerializeField] private WebSocketReconnectingEvent m_OnReconnecting = new WebSocketReconnectingEvent();
        [SerializeField] private UnityEvent m_OnReconnected = new UnityEvent();

        private WebSocketClient _client;
        private bool _registered;
        private bool _open;
        private long _messagesReceived;

        /// <summary>Raised on the main thread when the handshake completes.</summary>
        public event Action Opened;

        /// <summary>
        /// Raised on the main thread for every message not consumed by <see cref="Runtime"/>.
        /// Does not allocate; the payload span is valid during the call only.
        /// </summary>
        public event FrameReceivedHandler FrameReceived;

        /// <summary>Raised on the main thread when the connection is closed: close code and reason.</summary>
        public event Action<ushort, string> Closed;

        /// <summary>Raised on the main thread for transport and protocol errors.</summary>
        public event Action<Exception> Failed;

        /// <summary>Raised on the main thread before each reconnect attempt: attempt (1-based) and delay.</summary>
        public event Action<int, TimeSpan> Reconnecting;

        /// <summary>Raised on the main thread when a reconnect attempt succeeded.</summary>
        public event Action Reconnected;

        /// <summary>Open: fired on the main thread when the handshake completes.</summary>
        public UnityEvent onOpen { get { return m_OnOpen; } }

        /// <summary>Message as (opcode, payload copy). Allocates per message.</summary>
        public WebSocketMessageEvent onMessage { get { return m_OnMessage; } }

        /// <summary>Message as (opcode, UTF-8 text). Allocates per message.</summary>
        public WebSocketTextMessageEvent onTextMessage { get { return m_OnTextMessage; } }

        /// <summary>Close: (code, reason).</summary>
        public WebSocketCloseEvent onClose { get { return m_OnClose; } }

        /// <summary>Error: the exception's message.</summary>
        public WebSocketErrorEvent onError { get { return m_OnError; } }

        /// <summary>Reconnect scheduled: (attempt, delay in seconds).</summary>
        public WebSocketReconnectingEvent onReconnecting { get { return m_OnReconnecting; } }

        /// <summary>Reconnect succeeded.</summary>
        public UnityEvent onReconnected { get { return m_OnReconnected; } }

        /// <summary>
        /// Optional zero-allocation message handler, called first for every message. When it
        /// returns true the message counts as handled and no other message event is raised.
        /// </summary>
        public INetRuntime Runtime { get; set; }

        /// <summary>Server address used by <see cref="Connect()"/>.</summary>
        public string Url { get { return url; } set { url = value; } }

        /// <summary>
        /// Proxy URL for the next connect (see <see cref="WebSocketOptions.Proxy"/>); applies when
        /// <see cref="Options"/> names no proxy itself. Empty connects directly.
        /// </summary>
        public string Proxy { get { return proxy; } set { proxy = value ?? string.Empty; } }

        /// <summary>Sub-protocols offered by <see cref="Connect()"/>.</summary>
        public string[] SubProtocols { get { return subProtocols; } set { subProtocols = value ?? new string[0]; } }

        /// <summary>Session id reported with every inbound message. Applies from the next connect.</summary>
        public int SessionId { get { return sessionId; } set { sessionId = value; } }

        /// <summary>Connect when the component is enabled.</summary>
        public bool ConnectOnEnable { get { return connectOnEnable; } set { connectOnEnable = value; } }

        /// <summary>Close the connection when the component is disabled.</summary>
        public bool CloseOnDisable { get { return closeOnDisable; } set { closeOnDisable = value; } }

        /// <summary>Whether <see cref="onMessage"/> and <see cref="onTextMessage"/> are raised.</summary>
        public bool RaiseAllocatingMessageEvents
        {
            get { return raiseAllocatingMessageEvents; }
            set { raiseAllocatingMessageEvents = value; }
        }

        /// <summary>
        /// Options for the next <see cref="Connect()"/>: keep-alive, timeouts, limits, reconnect
        /// policy, authentication, TLS. Null means the defaults.
        /// </summary>
        public WebSocketOptions Options { get; set; }

        /// <summary>Connection state; <see cref="WebSocketState.Closed"/> when there is no client.</summary>
        public WebSocketState State { get { return _client != null ? _client.State : WebSocketState.Closed; } }

        /// <summary>The underlying client, or null before the first <see cref="Connect()"/>.</summary>
        public WebSocketClient Client { get { return _client; } }

        /// <summary>True between the open event and the close event, as seen on the main thread.</summary>
        public bool IsOpen { get { return _open && _client != null && _client.IsOpen; } }

        /// <summary>Number of messages delivered on the main thread since the component was created.</summary>
        public long MessagesReceived { get { return _messagesReceived; } }

        /// <summary>Coroutine helper: <c>yield return socket.WaitForOpen(5f);</c></summary>
        public WaitForOpen WaitForOpen(float timeoutSeconds = 10f)
        {
            return new WaitForOpen(this, timeoutSeconds);
        }

        /// <summary>Coroutine helper: waits for the next message. <c>yield return socket.WaitForMessage(5f);</c></summary>
        public WaitForMessage WaitForMessage(float timeoutSeconds = 10f)
        {
            return new WaitForMessage(this, timeoutSeconds);
        }

        /// <summary>Connects to <see cref="Url"/> with <see cref="SubProtocols"/>.</summary>
        public void Connect()
        {
            Connect(url, subProtocols);
        }

        /// <summary>
        /// Connects to <paramref name="serverUrl"/>. Any previous connection is closed first.
        /// Failures are reported through the error events, never thrown, so a bad address in
        /// the inspector cannot break <c>OnEnable</c>.
        /// </summary>
        public void Connect(string serverUrl, string[] protocols = null)
        {
            EnsureInitialized();
            ReleaseClient();
            url = serverUrl;
            try
            {
                var core = new NetworkClient(new Inbound(this));
                // NetworkClient shields the transport from handler exceptions by counting them;
                // surface them too, or a bug in a FrameReceived handler would vanish silently.
                core.OnDispatchError += LogDispatchError;
                WebSocketOptions options = Options ?? new WebSocketOptions();
                if (!string.IsNullOrEmpty(proxy) && string.IsNullOrEmpty(options.Proxy) && !options.ProxyFromEnvironment)
                {
                    options.Proxy = proxy;
                }
                _client = new WebSocketClient(core, options, sessionId);
                _client.OnOpen += RaiseOpen;
                _client.OnClose += RaiseClose;
                _client.OnError += RaiseError;
                _client.OnReconnecting += RaiseReconnecting;
                _client.OnReconnected += RaiseReconnected;
                _client.Connect(serverUrl, protocols != null && protocols.Length > 0 ? protocols : null);
            }
            catch (Exception e)
            {
                // A rejected URL or sub-protocol, or DllNotFoundException when this platform's
                // plugin is missing: nothing is connected, so drop the client and report.
                ReleaseClient();
                RaiseErrorLogged(e);
            }
        }

        /// <summary>
        /// Queues a FrameV1 message (opcode + payload) for sending. Returns false when
        /// <see cref="Connect()"/> was never called. Does not allocate; the payload is copied
        /// before this returns. Throws what <see cref="WebSocketClient.SendFrame(int, ReadOnlySpan{byte})"/>
        /// throws, e.g. InvalidOperationException once closed and WebSocketQueueFullException
        /// when the bounded send queue is full.
        /// </summary>
        public bool Send(int opcode, ReadOnlySpan<byte> payload)
        {
            if (_client == null)
                return false;
            _client.SendFrame(opcode, payload);
            return true;
        }

        /// <summary>Queues an already built FrameV1 frame. Returns false when there is no connection.</summary>
        public bool SendFrame(ReadOnlySpan<byte> frame)
        {
            if (_client == null)
                return false;
            _client.SendFrame(frame);
            return true;
        }

        /// <summary>
        /// Queues <paramref name="text"/> as UTF-8 under <paramref name="opcode"/>. Encodes into a
        /// pooled buffer, so it does not allocate per call.
        /// </summary>
        public bool SendText(int opcode, string text)
        {
            if (_client == null)
                return false;
            text = text ?? string.Empty;
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxByteCount(text.Length)));
            try
            {
                int length = Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 0);
                _client.SendFrame(opcode, new ReadOnlySpan<byte>(buffer, 0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return true;
        }

        /// <summary>Starts the closing handshake with 1000 (normal closure).</summary>
        public void Close()
        {
            if (_client != null)
                _client.Close();
        }

        /// <summary>Starts the closing handshake with the given code (RFC 6455 section 7.4) and reason.</summary>
        public void Close(ushort code, string reason)
        {
            if (_client != null)
                _client.Close(code, reason ?? string.Empty);
        }

        /// <summary>
        /// Closes and disposes the client of every live component. Called by the editor before
        /// an assembly reload and when play mode ends, ahead of the native shutdown.
        /// </summary>
        public static void ReleaseAll()
        {
            var copy = new List<WebSocketBehaviour>(Live);
            foreach (var socket in copy)
            {
                if (!ReferenceEquals(socket, null))
                    socket.ReleaseClient();
            }
        }

        // With "Enter Play Mode Options" (no domain reload) statics survive between sessions.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        private static void ResetStatics()
        {
            Live.Clear();
        }

        private void Awake()
        {
            EnsureInitialized();
        }

        private void OnEnable()
        {
            EnsureInitialized();
            if (connectOnEnable && !string.IsNullOrEmpty(url))
                Connect();
        }

        private void Update()
        {
            if (_client != null)
            {
                try
                {
                    // Drains the client's queue: WebSocketClient raises its events and dispatches its
                    // messages only inside Update(), on the thread that connected (this one), so
                    // every handler below runs on the main thread without any marshalling.
                    _client.Update();
                }
                catch (Exception e)
                {
                    // A throwing user handler must not stop later frames from being pumped.
                    Debug.LogException(e, this);
                }
            }
        }

        private void OnDisable()
        {
            if (closeOnDisable)
                ReleaseClient();
        }

        private void OnApplicationQuit()
        {
            ReleaseClient();
        }

        private void OnDestroy()
        {
            ReleaseClient();
            Live.Remove(this);
            _registered = false;
        }

        private void EnsureInitialized()
        {
            if (_registered)
                return;
            _registered = true;
            // Registered until OnDestroy, enabled or not: a disabled component may still hold a client.
            Live.Add(this);
        }

        /// <summary>
        /// Disposes the client, which closes with 1001 "going away" (RFC 6455 section 7.4.1) and
        /// frees the native connection. The client raises nothing afterwards, so a connection
        /// that was open is reported closed here, with the code that was sent.
        /// </summary>
        private void ReleaseClient()
        {
            var client = _client;
            if (client == null)
                return;
            _client = null;
            client.OnOpen -= RaiseOpen;
            client.OnClose -= RaiseClose;
            client.OnError -= RaiseError;
            client.OnReconnecting -= RaiseReconnecting;
            client.OnReconnected -= RaiseReconnected;
            try
            {
                client.Dispose();
            }
            catch (Exception e)
            {
                // Dispose is documented not to throw; if it ever does, still finish the release.
                Debug.LogException(e, this);
            }
            bool wasOpen = _open;
            _open = false;
            if (!wasOpen)
                return;
            try
            {
                RaiseClose(GoingAway, "going away");
            }
            catch (Exception e)
            {
                // Release runs from Connect, OnDisable, OnDestroy and quit: a throwing Closed
                // handler must not leave those half done (or break Connect's no-throw promise).
                Debug.LogException(e, this);
            }
        }

        /// <summary>RaiseError for paths that promise not to throw: a throwing handler is logged.</summary>
        private void RaiseErrorLogged(Exception error)
        {
            try
            {
                RaiseError(error);
            }
            catch (Exception e)
            {
                Debug.LogException(e, this);
            }
        }

        private void LogDispatchError(int session, int opcode, Exception error)
        {
            Debug.LogException(error, this);
        }

        private void RaiseOpen()
        {
            _open = true;
            var handler = Opened;
            if (handler != null)
                handler();
            m_OnOpen.Invoke();
        }

        private void RaiseMessage(int opcode, ReadOnlySpan<byte> payload)
        {
            _messagesReceived++;
            var runtime = Runtime;
            if (runtime != null && runtime.TryDispatchInbound(sessionId, opcode, payload))
                return;
            var handler = FrameReceived;
            if (handler != null)
                handler(opcode, payload);
            if (!raiseAllocatingMessageEvents)
                return;
            // UnityEvent cannot report its runtime listeners, hence a switch instead of a check.
            m_OnMessage.Invoke(opcode, payload.ToArray());
            m_OnTextMessage.Invoke(opcode, DecodeUtf8(payload));
        }

        private void RaiseClose(ushort code, string reason)
        {
            _open = false;
            var handler = Closed;
            if (handler != null)
                handler(code, reason ?? string.Empty);
            m_OnClose.Invoke(code, reason ?? string.Empty);
        }

        private void RaiseError(Exception error)
        {
            var handler = Failed;
            bool observed = handler != null || m_OnError.GetPersistentEventCount() > 0;
            if (handler != null)
                handler(error);
            m_OnError.Invoke(error != null ? error.Message : "unknown error");
            if (!observed)
                Debug.LogException(error ?? new Exception("unknown WebSocket error"), this);
        }

        private void RaiseReconnecting(int attempt, TimeSpan delay)
        {
            _open = false;
            var handler = Reconnecting;
            if (handler != null)
                handler(attempt, delay);
            m_OnReconnecting.Invoke(attempt, (float)delay.TotalSeconds);
        }

        private void RaiseReconnected()
        {
            _open = true;
            var handler = Reconnected;
            if (handler != null)
                handler();
            m_OnReconnected.Invoke();
        }

        private static string DecodeUtf8(ReadOnlySpan<byte> payload)
        {
            if (payload.IsEmpty)
                return string.Empty;
            // Encoding.GetString(ReadOnlySpan) is missing on older profiles; decode via a pooled array.
            var buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
            try
            {
                payload.CopyTo(buffer);
                return Encoding.UTF8.GetString(buffer, 0, payload.Length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// The INetRuntime handed to NetworkClient. A nested class rather than an interface on the
        /// component keeps TryDispatchInbound out of the component's public surface.
        /// </summary>
        private sealed class Inbound : INetRuntime
        {
            private readonly WebSocketBehaviour _owner;

            public Inbound(WebSocketBehaviour owner) { _owner = owner; }

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                _owner.RaiseMessage(opcode, payload);
                return true;
            }
        }
    }
}
