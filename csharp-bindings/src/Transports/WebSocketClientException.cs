using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// A connection error reported by the engine (through <see cref="WebSocketClient.OnError"/>),
    /// or a failure inside the native library itself (a caught panic or internal error).
    /// </summary>
    public sealed class WebSocketClientException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="errorKind">The engine's error category (0 when not applicable).</param>
        /// <param name="message">Human-readable description.</param>
        public WebSocketClientException(int errorKind, string message) : base(message)
        {
            ErrorKind = errorKind;
        }

        /// <summary>The engine's error category (see the native <c>error_kind</c>); 0 when not applicable.</summary>
        public int ErrorKind { get; }
    }
}
