using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Devian.Network.Transports
{
    /// <summary>
    /// The async WebSocket client of seed 000 (task 18.4), for .NET programs outside a game loop: no
    /// <c>Update()</c>, every method callable from any thread, cancellation on every call. Implemented
    /// by <see cref="AsyncWebSocketClient"/> over the native engine.
    /// </summary>
    public interface IWebSocketClient : IDisposable, IAsyncDisposable
    {
        /// <summary>The live connection state.</summary>
        WebSocketState State { get; }

        /// <summary>The sub-protocol the server chose, empty if none (set once open).</summary>
        string Protocol { get; }

        /// <summary>Connects; completes once open. Cancelling tears the attempt down and throws <see cref="OperationCanceledException"/>.</summary>
        Task ConnectAsync(Uri uri, CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>Sends one text message (UTF-8). Waits for room when the send queue is full.</summary>
        ValueTask SendAsync(string message, CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>Sends one binary message. Waits for room when the send queue is full.</summary>
        ValueTask SendAsync(byte[] data, CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>Sends one binary message from an array segment. Waits for room when the send queue is full.</summary>
        ValueTask SendAsync(ArraySegment<byte> data, CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>Sends one message of <paramref name="kind"/> (text must be UTF-8). Waits for room when the send queue is full.</summary>
        ValueTask SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageKind kind = WebSocketMessageKind.Binary, CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>
        /// The next message, in order; after the connection closed, a message of kind
        /// <see cref="WebSocketMessageKind.Close"/>. One receive at a time. Cancelling completes it with
        /// <see cref="OperationCanceledException"/> and leaves the connection usable.
        /// </summary>
        ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>Every message until the connection closes (<c>await foreach</c>); one enumeration at a time.</summary>
        IAsyncEnumerable<WebSocketMessage> ReceiveAllAsync(CancellationToken cancellationToken = default(CancellationToken));

        /// <summary>
        /// Starts the close handshake and completes once the connection is closed. A token cancelled
        /// before the call throws <see cref="OperationCanceledException"/> and closes nothing; cancelled
        /// later, it ends only the wait, and the handshake goes on.
        /// </summary>
        Task CloseAsync(ushort code = CloseStatus.NormalClosure, string reason = "", CancellationToken cancellationToken = default(CancellationToken));
    }
}
