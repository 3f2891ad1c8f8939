using System;
using UnityEngine.Events;

namespace Devian.Network.Unity
{
    // Concrete (non-generic) UnityEvent types: Unity's serializer and inspector only show
    // UnityEvents whose class is non-generic and [Serializable].

    /// <summary>
    /// A binary message: FrameV1 opcode and a fresh copy of the payload.
    /// Allocates one array per message; use <see cref="WebSocketBehaviour.FrameReceived"/> or
    /// <see cref="WebSocketBehaviour.Runtime"/> on hot paths.
    /// </summary>
    [Serializable]
    public sealed class WebSocketMessageEvent : UnityEvent<int, byte[]> { }

    /// <summary>
    /// A message whose payload is decoded as UTF-8: FrameV1 opcode and the text.
    /// Allocates one string per message (convenience for inspector wiring and prototypes).
    /// </summary>
    [Serializable]
    public sealed class WebSocketTextMessageEvent : UnityEvent<int, string> { }

    /// <summary>The connection closed: close code (RFC 6455 section 7.4) and reason.</summary>
    [Serializable]
    public sealed class WebSocketCloseEvent : UnityEvent<int, string> { }

    /// <summary>An error, as its message text (the exception itself goes to <see cref="WebSocketBehaviour.Failed"/>).</summary>
    [Serializable]
    public sealed class WebSocketErrorEvent : UnityEvent<string> { }

    /// <summary>A reconnect attempt is scheduled: attempt number (1-based) and delay in seconds.</summary>
    [Serializable]
    public sealed class WebSocketReconnectingEvent : UnityEvent<int, float> { }

    /// <summary>
    /// Zero-allocation message callback. <paramref name="payload"/> is only valid during the call:
    /// copy what you need to keep.
    /// </summary>
    public delegate void FrameReceivedHandler(int opcode, ReadOnlySpan<byte> payload);
}
