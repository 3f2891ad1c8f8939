#if UNITY_WEBGL && !UNITY_EDITOR
using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Devian.Network.Transports
{
    /// <summary>
    /// <see cref="IWebSocketTransport"/> over the browser's WebSocket, for Unity WebGL players: the
    /// <c>devian-ws</c> wasm module (webgl/) applies the same policy as the native engine (reconnect
    /// with backoff and jitter, buffering while reconnecting, query/first-message/sub-protocol
    /// authentication, statistics) and <c>devian-ws.jslib</c> bridges it to these calls.
    /// </summary>
    /// <remarks>
    /// <para>Receiving: <see cref="Poll"/> has the bridge copy the next message once, from the browser's
    /// ArrayBuffer into a pooled managed buffer that stays pinned (its address is a heap offset the
    /// bridge writes to), so dispatch reads it in place: no per-message allocation, string or JSON.</para>
    /// <para>Sending: the caller's span is pinned and its heap address handed over; the browser's
    /// <c>WebSocket.send</c> makes the one copy. A reserved message (<see cref="Reserve"/>) is assembled
    /// in a reused buffer first.</para>
    /// <para>What a browser cannot do raises <see cref="NotSupportedException"/> at Connect: request
    /// headers (also header authentication), an Origin, custom TLS roots, pins or disabled verification,
    /// client pings (a changed <see cref="WebSocketOptions.PingInterval"/>; the browser still answers the
    /// server's pings), idle timeout, and changed frame/message size limits or receive-queue bounds
    /// (the browser accepts every message whole and cannot pause reading). The connect and close
    /// timeouts are the browser's own. Dispose closes with 1000, since browsers may not send 1001.
    /// <see cref="WebSocketOptions.PerMessageDeflate"/> is accepted and ignored: browsers offer
    /// permessage-deflate on their own.</para>
    /// </remarks>
    internal sealed unsafe class WebGLTransport : IWebSocketTransport
    {
        private const int InitialReceiveBytes = 64 * 1024;

        // The default ping interval counts as "not asked for": browsers cannot send pings.
        private static readonly WebSocketOptions Defaults = new WebSocketOptions();
        private static readonly TimeSpan DefaultPingInterval = Defaults.PingInterval;

        private int _id;
        private int _disposed;
        private bool _eventHeld;
        private bool _freeAfterRelease;
        private string _managedError;

        private byte[] _receive;
        private GCHandle _receivePin;
        private readonly int[] _info = new int[3];
        private GCHandle _infoPin;
        // The reserved message is built here, then handed to WebSocket.send (which copies it).
        private byte[] _frame;
        private int _reservedLength = -1;

        /// <inheritdoc/>
        public TransportStatus Connect(string url, string[] subProtocols, WebSocketOptions options)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return Fail(TransportStatus.InvalidHandle, "the transport is disposed");
            }
            if (_id != 0)
            {
                return Fail(TransportStatus.InvalidState, "Connect was already called on this transport");
            }
            ThrowIfUnsupported(options);
            if (WebGLNative.DevianWs_IsReady() == 0)
            {
                return Fail(TransportStatus.Internal,
                    "the devian-ws WebAssembly module is not loaded: the WebGL template must include devian_ws_webgl.js " +
                    "and devian-ws-loader.js and create the Unity instance after DevianWsReady resolves (see webgl/README.md)");
            }
            string protocols;
            TransportStatus status = JoinProtocols(subProtocols, out protocols);
            if (status != TransportStatus.Ok)
            {
                return status;
            }

            int id = WebGLNative.DevianWs_Create(url);
            if (id <= 0)
            {
                return ToStatus(id == 0 ? (int)TransportStatus.Internal : id);
            }
            status = Configure(id, protocols, options);
            if (status == TransportStatus.Ok)
            {
                status = ToStatus(WebGLNative.DevianWs_Connect(id));
            }
            if (status != TransportStatus.Ok)
            {
                _managedError = BridgeLastError();
                WebGLNative.DevianWs_Destroy(id);
                return status;
            }
            AllocateBuffers();
            _id = id;
            return TransportStatus.Ok;
        }

        /// <inheritdoc/>
        public TransportStatus Send(TransportMessageKind kind, ReadOnlySpan<byte> data)
        {
            TransportStatus status = CheckUsable();
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            if (kind != TransportMessageKind.Text && kind != TransportMessageKind.Binary)
            {
                return Fail(TransportStatus.InvalidArgument, "message kind must be Text or Binary");
            }
            fixed (byte* p = data)
            {
                // An empty span pins to null; the bridge only reads `length` bytes, so 0 is fine.
                return SendStatus(WebGLNative.DevianWs_Send(_id, (IntPtr)p, data.Length, kind == TransportMessageKind.Text ? 1 : 0));
            }
        }

        /// <inheritdoc/>
        public TransportStatus Reserve(int length, out Span<byte> buffer)
        {
            buffer = default(Span<byte>);
            TransportStatus status = CheckUsable();
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            if (_reservedLength >= 0)
            {
                return Fail(TransportStatus.InvalidState, "a reservation is pending; commit or abort it first");
            }
            if (length < 0)
            {
                return Fail(TransportStatus.InvalidArgument, "negative length");
            }
            if (_frame == null || _frame.Length < length)
            {
                // Grows rarely (largest message so far); steady state sends allocate nothing.
                if (_frame != null)
                {
                    ArrayPool<byte>.Shared.Return(_frame);
                }
                _frame = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            }
            Array.Clear(_frame, 0, length);
            _reservedLength = length;
            buffer = new Span<byte>(_frame, 0, length);
            return TransportStatus.Ok;
        }

        /// <inheritdoc/>
        public TransportStatus Commit(TransportMessageKind kind)
        {
            int length = _reservedLength;
            if (length < 0)
            {
                return Fail(TransportStatus.InvalidState, "nothing reserved");
            }
            _reservedLength = -1;
            return Send(kind, new ReadOnlySpan<byte>(_frame, 0, length));
        }

        /// <inheritdoc/>
        public void Abort()
        {
            _reservedLength = -1;
        }

        /// <inheritdoc/>
        public TransportStatus Wait(int timeoutMs)
        {
            // A WebGL player has one thread: nothing may block it.
            return Fail(TransportStatus.InvalidState, "blocking waits are not possible on WebGL; poll from Update()");
        }

        /// <inheritdoc/>
        public TransportStatus Poll(out TransportEvent ev)
        {
            ev = default(TransportEvent);
            if (_eventHeld)
            {
                ReleaseEvent();
            }
            if (Volatile.Read(ref _disposed) != 0)
            {
                return Fail(TransportStatus.InvalidHandle, "the transport is disposed");
            }
            if (_id == 0)
            {
                return TransportStatus.Empty;
            }
            // Bounded: each round either returns or grows the buffer to the size the bridge asked for.
            for (int round = 0; round < 4; round++)
            {
                int kind = WebGLNative.DevianWs_Next(_id, _receivePin.AddrOfPinnedObject(), _receive.Length, _infoPin.AddrOfPinnedObject());
                if (kind == WebGLNative.BufferTooSmall)
                {
                    GrowReceive(_info[0]);
                    continue;
                }
                if (kind == 0)
                {
                    return TransportStatus.Empty;
                }
                if (kind < 0)
                {
                    return ToStatus(kind);
                }
                Fill(kind, ref ev);
                _eventHeld = true;
                return TransportStatus.Ok;
            }
            return Fail(TransportStatus.Internal, "the receive buffer could not be sized for the next event");
        }

        /// <inheritdoc/>
        public void ReleaseEvent()
        {
            // The buffer is reused by the next Poll; only a Dispose made while the event was being
            // dispatched has something left to do.
            _eventHeld = false;
            if (_freeAfterRelease)
            {
                _freeAfterRelease = false;
                FreeBuffers();
            }
        }

        /// <inheritdoc/>
        public TransportStatus Close(ushort code, string reason)
        {
            TransportStatus status = CheckUsable();
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            return ToStatus(WebGLNative.DevianWs_Close(_id, code, reason ?? string.Empty));
        }

        /// <inheritdoc/>
        public WebSocketState State
        {
            get
            {
                if (Volatile.Read(ref _disposed) != 0 || _id == 0)
                {
                    return WebSocketState.Closed;
                }
                int s = WebGLNative.DevianWs_State(_id);
                return s < 0 || s > (int)WebSocketState.Reconnecting ? WebSocketState.Closed : (WebSocketState)s;
            }
        }

        /// <inheritdoc/>
        public TransportStatus GetStatistics(out WebSocketStatistics statistics)
        {
            statistics = default(WebSocketStatistics);
            TransportStatus status = CheckUsable();
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            // The stack lives in the player's linear memory, so its address is a heap offset too.
            byte* raw = stackalloc byte[64];
            status = ToStatus(WebGLNative.DevianWs_Stats(_id, (IntPtr)raw));
            if (status == TransportStatus.Ok)
            {
                var s = new ReadOnlySpan<byte>(raw, 64);
                statistics = new WebSocketStatistics(
                    Counter(s, 0), Counter(s, 1), Counter(s, 2), Counter(s, 3),
                    Counter(s, 4), Counter(s, 5), Counter(s, 6), Counter(s, 7));
            }
            return status;
        }

        /// <inheritdoc/>
        public string LastError()
        {
            string managed = _managedError;
            if (managed != null)
            {
                _managedError = null;
                return managed;
            }
            return BridgeLastError();
        }

        /// <summary>Closes (1000: browsers may not send 1001) and forgets the connection; idempotent.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            int id = Interlocked.Exchange(ref _id, 0);
            if (id != 0)
            {
                WebGLNative.DevianWs_Destroy(id);
            }
            if (_eventHeld)
            {
                // Called from an event handler inside Update: the event's bytes are still being read.
                _freeAfterRelease = true;
            }
            else
            {
                FreeBuffers();
            }
        }

        private void Fill(int kind, ref TransportEvent ev)
        {
            int length = _info[0];
            ev.Data = length > 0 ? _receivePin.AddrOfPinnedObject() : IntPtr.Zero;
            ev.Length = length;
            // The module numbers events as the native DwsEvent.kind (native/policy/src/abi.rs).
            ev.Kind = (TransportEventKind)kind;
            switch (ev.Kind)
            {
                case TransportEventKind.Message:
                    ev.MessageKind = (TransportMessageKind)_info[1];
                    break;
                case TransportEventKind.Closed:
                    ev.Code = (ushort)_info[1];
                    ev.WasClean = _info[2] != 0;
                    break;
                case TransportEventKind.Reconnecting:
                    ev.Attempt = _info[1];
                    ev.DelayMs = _info[2];
                    break;
                case TransportEventKind.Open:
                case TransportEventKind.Closing:
                case TransportEventKind.Error:
                case TransportEventKind.Reconnected:
                case TransportEventKind.Authenticated:
                    break;
                default:
                    // A kind added by a newer module: delivered as nothing, like the native transport does.
                    ev.Kind = TransportEventKind.None;
                    break;
            }
        }

        private static void ThrowIfUnsupported(WebSocketOptions o)
        {
            const string Hint = " cannot be used on WebGL: the browser's WebSocket API does not allow it";
            if (o.Headers.Count > 0)
            {
                throw new NotSupportedException("custom request headers (" + o.Headers[0].Key + ")" + Hint +
                    "; use query-parameter, first-message or sub-protocol authentication");
            }
            WebSocketAuthentication auth = o.Authentication ?? WebSocketAuthentication.None;
            if (auth.Method == WebSocketAuthenticationMethod.Header)
            {
                throw new NotSupportedException("header authentication (" + auth.Name + ")" + Hint +
                    "; use query-parameter, first-message or sub-protocol authentication");
            }
            if (o.Origin != null)
            {
                throw new NotSupportedException("a custom Origin" + Hint + " (the browser sends the page's origin)");
            }
            WebSocketTlsOptions tls = o.Tls;
            if (tls != null && (tls.RootCertificatesPem.Count > 0 || tls.PinnedSha256.Count > 0 || tls.DangerousAcceptAnyCertificate))
            {
                throw new NotSupportedException("custom TLS roots, certificate pins or disabled verification" + Hint +
                    " (the browser verifies wss:// certificates against its own trust store)");
            }
            if (o.PingInterval != TimeSpan.Zero && o.PingInterval != DefaultPingInterval)
            {
                throw new NotSupportedException("client pings (PingInterval)" + Hint +
                    " (the browser answers the server's pings; set PingInterval to zero or keep the default)");
            }
            if (o.IdleTimeout != TimeSpan.Zero)
            {
                throw new NotSupportedException("IdleTimeout" + Hint + " to observe; use an application-level heartbeat");
            }
            // The browser receives whole messages of any size and cannot be made to stop reading,
            // so these receive-side bounds could only be pretended; keep the defaults on WebGL.
            if (o.MaxFrameSize != Defaults.MaxFrameSize || o.MaxMessageSize != Defaults.MaxMessageSize)
            {
                throw new NotSupportedException("MaxFrameSize/MaxMessageSize" + Hint +
                    " (the browser accepts every message whole); keep the defaults in WebGL builds");
            }
            if (!string.IsNullOrEmpty(o.Proxy) || o.ProxyFromEnvironment)
            {
                throw new NotSupportedException("a proxy" + Hint + " (the browser uses the system's proxy settings)");
            }
            if (o.Delivery != WebSocketDelivery.AtMostOnce)
            {
                throw new NotSupportedException("Delivery.AtLeastOnce" + Hint +
                    " (it needs client pings to confirm delivery, which the browser cannot send)");
            }
            WebSocketReconnectPolicy r = o.Reconnect ?? Defaults.Reconnect;
            if (r.StableAfter != Defaults.Reconnect.StableAfter || r.TryAgainLaterDelay != Defaults.Reconnect.TryAgainLaterDelay)
            {
                throw new NotSupportedException("Reconnect.StableAfter/TryAgainLaterDelay cannot be changed on WebGL " +
                    "yet: the WebGL module applies the defaults (5 s each)");
            }
            if (o.ReceiveQueueMaxMessages != Defaults.ReceiveQueueMaxMessages || o.ReceiveQueueMaxBytes != Defaults.ReceiveQueueMaxBytes)
            {
                throw new NotSupportedException("ReceiveQueueMaxMessages/ReceiveQueueMaxBytes" + Hint +
                    " (the browser cannot pause reading); keep the defaults in WebGL builds");
            }
        }

        private static TransportStatus Configure(int id, string protocols, WebSocketOptions o)
        {
            TransportStatus s;
            if (protocols.Length > 0 && (s = ToStatus(WebGLNative.DevianWs_SetProtocols(id, protocols))) != TransportStatus.Ok) return s;

            WebSocketReconnectPolicy r = o.Reconnect ?? new WebSocketReconnectPolicy();
            s = ToStatus(WebGLNative.DevianWs_SetReconnect(id, r.Enabled ? 1 : 0, Math.Max(0, r.MaxAttempts),
                r.InitialDelay.TotalMilliseconds, r.Multiplier, r.MaxDelay.TotalMilliseconds, r.Jitter ? 1 : 0));
            if (s != TransportStatus.Ok) return s;
            if (r.ReconnectOnCloseCodes != null)
            {
                // Configuration only: an empty list means "never reconnect on a close code", as natively.
                var csv = new StringBuilder();
                for (int i = 0; i < r.ReconnectOnCloseCodes.Length; i++)
                {
                    if (i > 0) csv.Append(',');
                    csv.Append(r.ReconnectOnCloseCodes[i]);
                }
                if ((s = ToStatus(WebGLNative.DevianWs_SetReconnectCodes(id, csv.ToString()))) != TransportStatus.Ok) return s;
            }
            s = ToStatus(WebGLNative.DevianWs_SetSendQueue(id, r.BufferWhileReconnecting ? 1 : 0,
                Math.Max(1, r.BufferMaxMessages), (int)Math.Min(int.MaxValue, Math.Max(1L, r.BufferMaxBytes))));
            if (s != TransportStatus.Ok) return s;
            // The browser has its own unbounded send buffer; SendQueueMaxBytes bounds it as it bounds the native queue.
            s = ToStatus(WebGLNative.DevianWs_SetMaxBuffered(id, (int)Math.Min(int.MaxValue, Math.Max(1L, o.SendQueueMaxBytes))));
            if (s != TransportStatus.Ok) return s;

            WebSocketAuthentication auth = o.Authentication ?? WebSocketAuthentication.None;
            switch (auth.Method)
            {
                case WebSocketAuthenticationMethod.QueryParameter:
                    return ToStatus(WebGLNative.DevianWs_SetAuthQuery(id, auth.Name, auth.Value));
                case WebSocketAuthenticationMethod.FirstMessage:
                    return ToStatus(WebGLNative.DevianWs_SetAuthFirstMessage(id, auth.Template, auth.Value, auth.MessageType ?? string.Empty));
                case WebSocketAuthenticationMethod.SubProtocol:
                    return ToStatus(WebGLNative.DevianWs_SetAuthSubprotocol(id, auth.Value));
                default:
                    return TransportStatus.Ok;
            }
        }

        private TransportStatus JoinProtocols(string[] subProtocols, out string csv)
        {
            csv = string.Empty;
            if (subProtocols == null || subProtocols.Length == 0)
            {
                return TransportStatus.Ok;
            }
            for (int i = 0; i < subProtocols.Length; i++)
            {
                string p = subProtocols[i];
                // The bridge takes a comma-separated list; a token never contains ',' (RFC 6455 §4.1).
                if (string.IsNullOrEmpty(p) || p.IndexOf(',') >= 0)
                {
                    return Fail(TransportStatus.InvalidArgument, "sub-protocol '" + p + "' is not a token (RFC 6455 section 4.1)");
                }
            }
            csv = string.Join(",", subProtocols);
            return TransportStatus.Ok;
        }

        private TransportStatus CheckUsable()
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return Fail(TransportStatus.InvalidHandle, "the transport is disposed");
            }
            return _id == 0 ? Fail(TransportStatus.InvalidState, "not connected") : TransportStatus.Ok;
        }

        private static TransportStatus SendStatus(int r)
        {
            // 0: handed to the browser; 1: buffered until the connection is (re)open. Both are success.
            return r >= 0 ? TransportStatus.Ok : ToStatus(r);
        }

        private static TransportStatus ToStatus(int r)
        {
            if (r >= 0)
            {
                return TransportStatus.Ok;
            }
            if (r == WebGLNative.NotSupported)
            {
                return TransportStatus.InvalidArgument;
            }
            // -1 … -9 are the native DwsStatus codes, shared on purpose.
            return r >= (int)TransportStatus.Internal ? (TransportStatus)r : TransportStatus.Internal;
        }

        private TransportStatus Fail(TransportStatus status, string message)
        {
            _managedError = message;
            return status;
        }

        private void AllocateBuffers()
        {
            _receive = ArrayPool<byte>.Shared.Rent(InitialReceiveBytes);
            _receivePin = GCHandle.Alloc(_receive, GCHandleType.Pinned);
            _infoPin = GCHandle.Alloc(_info, GCHandleType.Pinned);
        }

        private void GrowReceive(int needed)
        {
            if (needed <= _receive.Length)
            {
                return;
            }
            _receivePin.Free();
            ArrayPool<byte>.Shared.Return(_receive);
            _receive = ArrayPool<byte>.Shared.Rent(needed);
            _receivePin = GCHandle.Alloc(_receive, GCHandleType.Pinned);
        }

        private void FreeBuffers()
        {
            if (_receivePin.IsAllocated)
            {
                _receivePin.Free();
            }
            if (_infoPin.IsAllocated)
            {
                _infoPin.Free();
            }
            if (_receive != null)
            {
                ArrayPool<byte>.Shared.Return(_receive);
                _receive = null;
            }
            if (_frame != null)
            {
                ArrayPool<byte>.Shared.Return(_frame);
                _frame = null;
            }
        }

        private static long Counter(ReadOnlySpan<byte> s, int index)
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(index * 8, 8));
            return v > long.MaxValue ? long.MaxValue : (long)v;
        }

        private static string BridgeLastError()
        {
            try
            {
                byte* buf = stackalloc byte[512];
                int n = WebGLNative.DevianWs_LastError((IntPtr)buf, 512);
                return Encoding.UTF8.GetString(buf, n < 0 ? 0 : n > 512 ? 512 : n);
            }
            catch (Exception ex)
            {
                // Diagnostic only; never let fetching it hide the original failure.
                return "(WebGL error text unavailable: " + ex.GetType().Name + ")";
            }
        }
    }
}
#endif
