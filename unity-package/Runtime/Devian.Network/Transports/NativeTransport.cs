using System;
using System.Text;
using System.Threading;
using Devian.Network.Native;

namespace Devian.Network.Transports
{
    /// <summary>
    /// <see cref="IWebSocketTransport"/> over the <c>dws_*</c> C ABI: the native engine (libdevian_ws), or
    /// in a WebGL player the same functions implemented by <c>devian-ws.jslib</c> over the browser's
    /// WebSocket (the generated <see cref="Interop"/> names "__Internal" there). Every call that
    /// passes the handle to native code holds a SafeHandle reference for its duration, so a
    /// concurrent Dispose (another thread, or the finalizer) defers the free until the call ends.
    /// A polled event keeps its reference until <see cref="ReleaseEvent"/>, which keeps the
    /// event's native buffer alive while <see cref="WebSocketClient.Update()"/> dispatches it.
    /// </summary>
    internal sealed unsafe class NativeTransport : IWebSocketTransport
    {
        private NativeClientHandle _handle;
        // Referenced (DangerousAddRef) while a send reservation is pending.
        private NativeClientHandle _reserved;
        private bool _eventHeld;
        private int _disposed;
        private string _managedError;

        /// <inheritdoc/>
        public TransportStatus Connect(string url, string[] subProtocols, WebSocketOptions options)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return Fail(TransportStatus.InvalidHandle, "the transport is disposed");
            }
            if (_handle != null)
            {
                return Fail(TransportStatus.InvalidState, "Connect was already called on this transport");
            }
#if UNITY_WEBGL && !UNITY_EDITOR
            WebGLLimits.ThrowIfUnsupported(options);
#endif

            DwsOptions native = ToNative(options);
            ulong raw;
            TransportStatus status = (TransportStatus)Interop.dws_client_new(ref native, url, out raw);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            var handle = new NativeClientHandle(raw);

            status = Configure(raw, subProtocols, options);
            if (status == TransportStatus.Ok)
            {
                status = (TransportStatus)Interop.dws_client_connect(raw);
            }
            if (status != TransportStatus.Ok)
            {
                // Keep the reason before freeing: free may overwrite this thread's last error.
                _managedError = NativeLastError();
                handle.Dispose();
                return status;
            }
            // Full fence, paired with Dispose's Exchange on _disposed: at least one side sees the other.
            Interlocked.Exchange(ref _handle, handle);
            if (Volatile.Read(ref _disposed) != 0)
            {
                handle.Dispose();
                return Fail(TransportStatus.InvalidHandle, "the transport was disposed during Connect");
            }
            return TransportStatus.Ok;
        }

        /// <inheritdoc/>
        public TransportStatus Send(TransportMessageKind kind, ReadOnlySpan<byte> data)
        {
            NativeClientHandle h = _handle;
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            try
            {
                fixed (byte* p = data)
                {
                    // An empty span pins to null, which the ABI accepts when the length is 0.
                    return (TransportStatus)Interop.dws_client_send(h.Value, (uint)kind, (IntPtr)p, (ulong)data.Length);
                }
            }
            finally
            {
                h.DangerousRelease();
            }
        }

        /// <inheritdoc/>
        public TransportStatus Reserve(int length, out Span<byte> buffer)
        {
            buffer = default(Span<byte>);
            if (_reserved != null)
            {
                return Fail(TransportStatus.InvalidState, "a reservation is pending; commit or abort it first");
            }
            if (length < 0)
            {
                return Fail(TransportStatus.InvalidArgument, "negative length");
            }
            NativeClientHandle h = _handle;
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            IntPtr data = IntPtr.Zero;
            status = (TransportStatus)Interop.dws_client_send_reserve(h.Value, (ulong)length, ref data);
            if (status != TransportStatus.Ok)
            {
                h.DangerousRelease();
                return status;
            }
            // The reference stays until Commit or Abort: a Dispose meanwhile (any thread, or the
            // finalizer) cannot free the native buffer the span points into.
            _reserved = h;
            buffer = new Span<byte>((void*)data, length);
            return TransportStatus.Ok;
        }

        /// <inheritdoc/>
        public TransportStatus Commit(TransportMessageKind kind)
        {
            NativeClientHandle h = _reserved;
            if (h == null)
            {
                return Fail(TransportStatus.InvalidState, "nothing reserved");
            }
            _reserved = null;
            try
            {
                _managedError = null;
                return (TransportStatus)Interop.dws_client_send_commit(h.Value, (uint)kind);
            }
            finally
            {
                h.DangerousRelease();
            }
        }

        /// <inheritdoc/>
        public void Abort()
        {
            NativeClientHandle h = _reserved;
            if (h == null)
            {
                return;
            }
            _reserved = null;
            try
            {
                Interop.dws_client_send_abort(h.Value);
            }
            finally
            {
                h.DangerousRelease();
            }
        }

        /// <inheritdoc/>
        public TransportStatus Wait(int timeoutMs)
        {
            NativeClientHandle h = _handle;
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            try
            {
                // Returns within ~10 ms of a Dispose on another thread (the native wait is sliced),
                // and the reference held here only delays the free until then.
                return (TransportStatus)Interop.dws_client_wait(h.Value, (uint)Math.Max(0, timeoutMs));
            }
            finally
            {
                h.DangerousRelease();
            }
        }

        /// <inheritdoc/>
        public TransportStatus Poll(out TransportEvent ev)
        {
            ev = default(TransportEvent);
            if (_eventHeld)
            {
                // Polling invalidates the previous event's buffer anyway; drop our reference first.
                ReleaseEvent();
            }
            NativeClientHandle h = _handle;
            if (h == null && Volatile.Read(ref _disposed) == 0)
            {
                return TransportStatus.Empty;
            }
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }

            DwsEvent raw;
            status = (TransportStatus)Interop.dws_client_poll(h.Value, out raw);
            if (status != TransportStatus.Ok)
            {
                h.DangerousRelease();
                return status;
            }

            _eventHeld = true;
            ev.Kind = (TransportEventKind)raw.kind;
            ev.MessageKind = (TransportMessageKind)raw.message_kind;
            ev.Data = raw.data;
            // A length beyond int.MaxValue cannot be spanned; the engine's message limits keep it far below.
            ev.Length = raw.data == IntPtr.Zero || raw.len > int.MaxValue ? 0 : (int)raw.len;
            ev.Code = raw.code;
            ev.WasClean = raw.was_clean != 0;
            ev.ErrorKind = (int)raw.error_kind;
            ev.Attempt = (int)raw.attempt;
            ev.DelayMs = raw.delay_ms > int.MaxValue ? int.MaxValue : (int)raw.delay_ms;
            ev.Unsent = Clamp(raw.unsent);
            return TransportStatus.Ok;
        }

        /// <inheritdoc/>
        public void ReleaseEvent()
        {
            if (!_eventHeld)
            {
                return;
            }
            _eventHeld = false;
            NativeClientHandle h = _handle;
            // Our reference from Poll is still held, so the handle cannot have been freed yet.
            Interop.dws_client_release(h.Value);
            h.DangerousRelease();
        }

        /// <inheritdoc/>
        public TransportStatus Close(ushort code, string reason)
        {
            NativeClientHandle h = _handle;
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            try
            {
                return (TransportStatus)Interop.dws_client_close(h.Value, code, reason ?? string.Empty);
            }
            finally
            {
                h.DangerousRelease();
            }
        }

        /// <inheritdoc/>
        public WebSocketState State
        {
            get
            {
                NativeClientHandle h = Volatile.Read(ref _handle);
                bool added = false;
                if (!TryAddRef(h, ref added))
                {
                    return WebSocketState.Closed;
                }
                try
                {
                    uint state;
                    if (Interop.dws_client_state(h.Value, out state) != DwsStatus.Ok || state > (uint)WebSocketState.Reconnecting)
                    {
                        return WebSocketState.Closed;
                    }
                    return (WebSocketState)state;
                }
                finally
                {
                    h.DangerousRelease();
                }
            }
        }

        /// <inheritdoc/>
        public TransportStatus GetStatistics(out WebSocketStatistics statistics)
        {
            statistics = default(WebSocketStatistics);
            NativeClientHandle h = _handle;
            bool added = false;
            TransportStatus status = Acquire(h, ref added);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            try
            {
                DwsStats s;
                status = (TransportStatus)Interop.dws_client_stats(h.Value, out s);
                if (status == TransportStatus.Ok)
                {
                    statistics = new WebSocketStatistics(
                        Clamp(s.messages_sent), Clamp(s.messages_received), Clamp(s.bytes_sent), Clamp(s.bytes_received),
                        Clamp(s.reconnects), Clamp(s.last_rtt_us), Clamp(s.send_queue_depth), Clamp(s.recv_queue_depth),
                        Clamp(s.messages_unsent));
                }
                return status;
            }
            finally
            {
                h.DangerousRelease();
            }
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
            return NativeLastError();
        }

        /// <summary>Starts a close with 1001 "going away" (RFC 6455 §7.4.1) and releases the handle; idempotent, any thread.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            NativeClientHandle h = Volatile.Read(ref _handle);
            if (h == null)
            {
                return;
            }
            bool added = false;
            if (TryAddRef(h, ref added))
            {
                try
                {
                    // Best effort: a closed or never-opened connection just reports InvalidState. A
                    // browser refuses to send 1001 (only 1000 and 3000-4999): then 1000.
                    if (Interop.dws_client_close(h.Value, 1001, string.Empty) == DwsStatus.InvalidArgument)
                    {
                        Interop.dws_client_close(h.Value, 1000, string.Empty);
                    }
                }
                finally
                {
                    h.DangerousRelease();
                }
            }
            // Frees now, or when the owner thread releases a polled event it is still dispatching.
            h.Dispose();
        }

        /// <summary>Takes a reference on the handle for one native call (owner-thread operations).</summary>
        private TransportStatus Acquire(NativeClientHandle h, ref bool added)
        {
            if (h == null)
            {
                return Volatile.Read(ref _disposed) != 0
                    ? Fail(TransportStatus.InvalidHandle, "the transport is disposed")
                    : Fail(TransportStatus.InvalidState, "not connected");
            }
            if (!TryAddRef(h, ref added))
            {
                return Fail(TransportStatus.InvalidHandle, "the transport is disposed");
            }
            // Any failure from here on is the native side's; LastError must report its text, not an older managed one.
            _managedError = null;
            return TransportStatus.Ok;
        }

        /// <summary>Takes a reference without touching the error state (safe from any thread).</summary>
        private static bool TryAddRef(NativeClientHandle h, ref bool added)
        {
            if (h == null)
            {
                return false;
            }
            try
            {
                h.DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            return added;
        }

        private TransportStatus Fail(TransportStatus status, string message)
        {
            _managedError = message;
            return status;
        }

        private static TransportStatus Configure(ulong h, string[] subProtocols, WebSocketOptions options)
        {
            TransportStatus s;
            if (subProtocols != null)
            {
                for (int i = 0; i < subProtocols.Length; i++)
                {
                    if ((s = (TransportStatus)Interop.dws_client_add_protocol(h, subProtocols[i] ?? string.Empty)) != TransportStatus.Ok) return s;
                }
            }
            var headers = options.Headers;
            for (int i = 0; i < headers.Count; i++)
            {
                if ((s = (TransportStatus)Interop.dws_client_add_header(h, headers[i].Key, headers[i].Value)) != TransportStatus.Ok) return s;
            }
            if (options.Origin != null)
            {
                if ((s = (TransportStatus)Interop.dws_client_set_origin(h, options.Origin)) != TransportStatus.Ok) return s;
            }

            if (!string.IsNullOrEmpty(options.Proxy))
            {
                if ((s = (TransportStatus)Interop.dws_client_set_proxy(h, options.Proxy)) != TransportStatus.Ok) return s;
            }
            else if (options.ProxyFromEnvironment)
            {
                if ((s = (TransportStatus)Interop.dws_client_set_proxy_from_env(h)) != TransportStatus.Ok) return s;
            }

            WebSocketTlsOptions tls = options.Tls ?? new WebSocketTlsOptions();
            var roots = tls.RootCertificatesPem;
            for (int i = 0; i < roots.Count; i++)
            {
                fixed (byte* p = roots[i])
                {
                    if ((s = (TransportStatus)Interop.dws_client_add_root_ca_pem(h, (IntPtr)p, (ulong)roots[i].Length)) != TransportStatus.Ok) return s;
                }
            }
            var pins = tls.PinnedSha256;
            for (int i = 0; i < pins.Count; i++)
            {
                fixed (byte* p = pins[i])
                {
                    if ((s = (TransportStatus)Interop.dws_client_pin_sha256(h, (IntPtr)p)) != TransportStatus.Ok) return s;
                }
            }
            if (tls.DangerousAcceptAnyCertificate)
            {
                if ((s = (TransportStatus)Interop.dws_client_dangerous_accept_any_certificate(h, 1)) != TransportStatus.Ok) return s;
            }

            WebSocketReconnectPolicy reconnect = options.Reconnect;
            if (reconnect != null && reconnect.ReconnectOnCloseCodes != null)
            {
                // An empty array means "never reconnect on a close code"; null keeps the engine's list.
                ushort[] codes = reconnect.ReconnectOnCloseCodes;
                fixed (ushort* p = codes)
                {
                    if ((s = (TransportStatus)Interop.dws_client_set_reconnect_codes(h, (IntPtr)p, (uint)codes.Length)) != TransportStatus.Ok) return s;
                }
            }

            WebSocketAuthentication auth = options.Authentication ?? WebSocketAuthentication.None;
            switch (auth.Method)
            {
                case WebSocketAuthenticationMethod.QueryParameter:
                    return (TransportStatus)Interop.dws_client_set_auth_query(h, auth.Name, auth.Value);
                case WebSocketAuthenticationMethod.FirstMessage:
                    return (TransportStatus)Interop.dws_client_set_auth_first_message(h, auth.Template, auth.Value, auth.MessageType);
                case WebSocketAuthenticationMethod.SubProtocol:
                    return (TransportStatus)Interop.dws_client_set_auth_subprotocol(h, auth.Value);
                case WebSocketAuthenticationMethod.Header:
                    return (TransportStatus)Interop.dws_client_set_auth_header(h, auth.Name, auth.Value);
                default:
                    return TransportStatus.Ok;
            }
        }

        private static DwsOptions ToNative(WebSocketOptions o)
        {
            DwsOptions n;
            // Start from the engine's defaults so fields added to the ABI later keep sane values.
            Interop.dws_options_default(out n);
            n.ping_interval_ms = Millis(o.PingInterval);
            n.pong_timeout_ms = Millis(o.PongTimeout);
            n.idle_timeout_ms = Millis(o.IdleTimeout);
            n.connect_timeout_ms = Millis(o.ConnectTimeout);
            n.close_timeout_ms = Millis(o.CloseTimeout);
            n.max_frame_size = Positive(o.MaxFrameSize);
            n.max_message_size = Positive(o.MaxMessageSize);
            n.send_queue_max_messages = Positive(o.SendQueueMaxMessages);
            n.send_queue_max_bytes = Positive(o.SendQueueMaxBytes);
            n.recv_queue_max_messages = Positive(o.ReceiveQueueMaxMessages);
            n.recv_queue_max_bytes = Positive(o.ReceiveQueueMaxBytes);
            WebSocketReconnectPolicy r = o.Reconnect ?? new WebSocketReconnectPolicy();
            n.reconnect_enabled = r.Enabled ? (byte)1 : (byte)0;
            n.reconnect_max_attempts = Positive(r.MaxAttempts);
            n.reconnect_initial_delay_ms = Millis(r.InitialDelay);
            n.reconnect_max_delay_ms = Millis(r.MaxDelay);
            n.reconnect_multiplier = r.Multiplier;
            n.reconnect_jitter = r.Jitter ? (byte)1 : (byte)0;
            n.reconnect_stable_after_ms = Millis(r.StableAfter);
            n.reconnect_try_again_later_ms = Millis(r.TryAgainLaterDelay);
            n.reconnect_buffer_enabled = r.BufferWhileReconnecting ? (byte)1 : (byte)0;
            n.reconnect_buffer_max_messages = Positive(r.BufferMaxMessages);
            n.reconnect_buffer_max_bytes = Positive(r.BufferMaxBytes);
            n.permessage_deflate = o.PerMessageDeflate ? (byte)1 : (byte)0;
            n.delivery = (uint)o.Delivery;
            return n;
        }

        private static uint Millis(TimeSpan t)
        {
            double ms = t.TotalMilliseconds;
            return ms <= 0 ? 0u : ms >= uint.MaxValue ? uint.MaxValue : (uint)ms;
        }

        private static uint Positive(int v)
        {
            return v <= 0 ? 0u : (uint)v;
        }

        private static ulong Positive(long v)
        {
            return v <= 0 ? 0ul : (ulong)v;
        }

        private static long Clamp(ulong v)
        {
            return v > long.MaxValue ? long.MaxValue : (long)v;
        }

        private static string NativeLastError()
        {
            try
            {
                byte* small = stackalloc byte[256];
                uint len = Interop.dws_last_error((IntPtr)small, 256);
                if (len <= 256)
                {
                    return Encoding.UTF8.GetString(small, (int)len);
                }
                int size = len > 64 * 1024 ? 64 * 1024 : (int)len;
                var big = new byte[size];
                fixed (byte* p = big)
                {
                    uint again = Interop.dws_last_error((IntPtr)p, (uint)size);
                    return Encoding.UTF8.GetString(p, again < (uint)size ? (int)again : size);
                }
            }
            catch (Exception ex)
            {
                // The message is diagnostic only; never let fetching it hide the original failure.
                return "(native error text unavailable: " + ex.GetType().Name + ")";
            }
        }
    }
}
