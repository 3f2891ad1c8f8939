namespace Devian.Network.Transports
{
    /// <summary>
    /// Result of a transport call. The numeric values are those of the native <c>DwsStatus</c>
    /// so the native transport can cast straight through; every other transport (WebGL) returns
    /// the same codes, and <see cref="WebSocketClient"/> maps them to exceptions in one place.
    /// </summary>
    internal enum TransportStatus
    {
        /// <summary>Success.</summary>
        Ok = 0,
        /// <summary>Poll: no event pending.</summary>
        Empty = 1,
        /// <summary>The handle was freed (for example by a global shutdown).</summary>
        InvalidHandle = -1,
        /// <summary>A required pointer was null.</summary>
        NullPointer = -2,
        /// <summary>An argument was rejected.</summary>
        InvalidArgument = -3,
        /// <summary>The call is not valid in the current state (send before open, connect twice).</summary>
        InvalidState = -4,
        /// <summary>The bounded send queue is full.</summary>
        QueueFull = -5,
        /// <summary>The connection is closed.</summary>
        Closed = -6,
        /// <summary>A string was not valid UTF-8.</summary>
        InvalidUtf8 = -7,
        /// <summary>The native side caught a panic.</summary>
        Panic = -8,
        /// <summary>Any other native failure.</summary>
        Internal = -9,
    }
}
