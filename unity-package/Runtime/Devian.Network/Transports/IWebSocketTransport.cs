using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// The I/O backend under <see cref="WebSocketClient"/>: <see cref="NativeTransport"/> over the
    /// <c>dws_*</c> C ABI (the native engine, or the browser's WebSocket through devian-ws.jslib on
    /// WebGL), or a test's fake. <see cref="WebSocketClient"/> owns every public rule (threading, events,
    /// exceptions, dispose); a transport only moves bytes and reports status codes.
    /// </summary>
    /// <remarks>
    /// Contract for implementers:
    /// <list type="bullet">
    /// <item>Calls come from one thread at a time (the owner thread), except <see cref="IDisposable.Dispose"/>,
    /// which may come from any thread, and <see cref="State"/>, which may be read from any thread.</item>
    /// <item>No method throws for a peer- or state-caused failure: it returns a <see cref="TransportStatus"/>
    /// and keeps a message for <see cref="LastError"/>.</item>
    /// <item><see cref="Send"/>, <see cref="Reserve"/>, <see cref="Commit"/>, <see cref="Poll"/> and <see cref="ReleaseEvent"/>
    /// must not allocate managed memory (seed 004 hot-path rule).</item>
    /// <item>After <see cref="IDisposable.Dispose"/> every call returns <see cref="TransportStatus.InvalidHandle"/>;
    /// Dispose is idempotent and frees native resources exactly once, never while an event from
    /// <see cref="Poll"/> is still being read.</item>
    /// </list>
    /// </remarks>
    internal interface IWebSocketTransport : IDisposable
    {
        /// <summary>
        /// Configures and starts connecting; returns at once (progress arrives as events). May throw
        /// <see cref="NotSupportedException"/> for an option the platform cannot honour; the client then
        /// disposes the transport.
        /// </summary>
        /// <param name="url"><c>ws://</c> or <c>wss://</c> URL.</param>
        /// <param name="subProtocols">Sub-protocols to offer (RFC 6455 §4.1 Sec-WebSocket-Protocol); may be null.</param>
        /// <param name="options">Connection options; never null.</param>
        TransportStatus Connect(string url, string[] subProtocols, WebSocketOptions options);

        /// <summary>Queues one whole message (copied once); never blocks.</summary>
        TransportStatus Send(TransportMessageKind kind, ReadOnlySpan<byte> data);

        /// <summary>
        /// Lends <paramref name="length"/> writable bytes for one message, to fill in place (a frame header and
        /// payload, a UTF-8 encoding) and then queue with <see cref="Commit"/> or drop with <see cref="Abort"/>.
        /// One reservation at a time; the buffer is valid only until Commit, Abort or Dispose.
        /// </summary>
        TransportStatus Reserve(int length, out Span<byte> buffer);

        /// <summary>Queues the reserved message as <paramref name="kind"/>; the reservation ends whatever the status.</summary>
        TransportStatus Commit(TransportMessageKind kind);

        /// <summary>Ends the reservation without sending (nothing happens without one).</summary>
        void Abort();

        /// <summary>
        /// Takes the next event. <see cref="TransportStatus.Ok"/> with an event, <see cref="TransportStatus.Empty"/>
        /// when none is pending. After Ok the caller must call <see cref="ReleaseEvent"/> (also on exceptions).
        /// </summary>
        TransportStatus Poll(out TransportEvent ev);

        /// <summary>Ends the use of the event returned by the last successful <see cref="Poll"/>; its Data becomes invalid.</summary>
        void ReleaseEvent();

        /// <summary>
        /// Blocks until <see cref="Poll"/> has an event (<see cref="TransportStatus.Ok"/>) or
        /// <paramref name="timeoutMs"/> passes (<see cref="TransportStatus.Empty"/>); for a pump thread.
        /// </summary>
        TransportStatus Wait(int timeoutMs);

        /// <summary>Starts the close handshake (RFC 6455 §7.1.2) with a code and a UTF-8 reason of at most 123 bytes.</summary>
        TransportStatus Close(ushort code, string reason);

        /// <summary>The current connection state; <see cref="WebSocketState.Closed"/> before Connect and after Dispose.</summary>
        WebSocketState State { get; }

        /// <summary>Counters of this connection.</summary>
        TransportStatus GetStatistics(out WebSocketStatistics statistics);

        /// <summary>The message describing the last failed call on this thread (empty when none).</summary>
        string LastError();
    }
}
