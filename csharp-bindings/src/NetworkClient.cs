using System;
using System.Threading;

namespace Devian.Network
{
    /// <summary>Receives a runtime exception thrown while dispatching a frame.</summary>
    /// <param name="sessionId">Session the frame arrived on.</param>
    /// <param name="opcode">Opcode of the frame being dispatched.</param>
    /// <param name="exception">What <see cref="INetRuntime.TryDispatchInbound"/> threw.</param>
    public delegate void DispatchErrorHandler(int sessionId, int opcode, Exception exception);

    /// <summary>
    /// Routes complete frames from a transport to an <see cref="INetRuntime"/>. Never throws into the
    /// transport: malformed frames, unknown opcodes and runtime exceptions are counted (and the
    /// exceptions surfaced through <see cref="OnDispatchError"/>) so one bad message cannot tear
    /// down the receive path.
    /// </summary>
    public sealed class NetworkClient
    {
        private readonly INetRuntime _runtime;
        private long _dispatched;
        private long _unhandled;
        private long _malformed;
        private long _dispatchErrors;

        /// <summary>Creates a client dispatching to <paramref name="runtime"/>.</summary>
        public NetworkClient(INetRuntime runtime)
        {
            if (runtime == null)
            {
                throw new ArgumentNullException("runtime");
            }
            _runtime = runtime;
        }

        /// <summary>
        /// Raised when the runtime throws while dispatching; raised on the thread calling
        /// <see cref="OnFrame"/>. An exception thrown by a handler of this event is swallowed.
        /// </summary>
        public event DispatchErrorHandler OnDispatchError;

        /// <summary>The runtime frames are dispatched to.</summary>
        public INetRuntime Runtime { get { return _runtime; } }

        /// <summary>Frames the runtime handled.</summary>
        public long DispatchedCount { get { return Interlocked.Read(ref _dispatched); } }

        /// <summary>Well-formed frames whose opcode the runtime did not handle.</summary>
        public long UnhandledCount { get { return Interlocked.Read(ref _unhandled); } }

        /// <summary>Frames too short to hold an opcode.</summary>
        public long MalformedCount { get { return Interlocked.Read(ref _malformed); } }

        /// <summary>Frames whose dispatch threw.</summary>
        public long DispatchErrorCount { get { return Interlocked.Read(ref _dispatchErrors); } }

        /// <summary>The last exception thrown by the runtime, or null.</summary>
        public Exception LastDispatchError { get; private set; }

        /// <summary>
        /// Called by a transport with one complete frame. Parses it and dispatches it; never throws.
        /// The span is only read during the call.
        /// </summary>
        public void OnFrame(int sessionId, ReadOnlySpan<byte> frame)
        {
            int opcode;
            ReadOnlySpan<byte> payload;
            if (!FrameV1.TryParse(frame, out opcode, out payload))
            {
                Interlocked.Increment(ref _malformed);
                return;
            }

            bool handled;
            try
            {
                handled = _runtime.TryDispatchInbound(sessionId, opcode, payload);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _dispatchErrors);
                LastDispatchError = ex;
                RaiseDispatchError(sessionId, opcode, ex);
                return;
            }

            if (handled)
            {
                Interlocked.Increment(ref _dispatched);
            }
            else
            {
                Interlocked.Increment(ref _unhandled);
            }
        }

        private void RaiseDispatchError(int sessionId, int opcode, Exception ex)
        {
            DispatchErrorHandler handler = OnDispatchError;
            if (handler == null)
            {
                return;
            }
            try
            {
                handler(sessionId, opcode, ex);
            }
            catch (Exception)
            {
                // The transport must never see an exception from dispatch; the error is already counted.
            }
        }
    }
}
