using System;

namespace Devian.Network.Transports
{
    /// <summary>
    /// Automatic reconnection with exponential backoff and jitter (seed 000 task 18.6, seed 002).
    /// Enabled by default, as in seed 002 and the native engine; the defaults here match the engine's.
    /// With it disabled, a dropped connection ends with <see cref="WebSocketClient.OnClose"/>.
    /// It never reconnects after the user's own <see cref="WebSocketClient.Close()"/>.
    /// </summary>
    public sealed class WebSocketReconnectPolicy
    {
        /// <summary>Whether a dropped connection is re-established automatically.</summary>
        public bool Enabled { get; set; } = true;

        /// <summary>Attempts per outage before giving up (then OnClose is raised); 0 means unlimited.</summary>
        public int MaxAttempts { get; set; } = 10;

        /// <summary>Delay before the first attempt.</summary>
        public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Upper bound of the delay (seed 002 caps it at 30 s).</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Factor applied to the delay after each failed attempt.</summary>
        public double Multiplier { get; set; } = 2.0;

        /// <summary>Randomise each delay so many clients do not reconnect in lockstep.</summary>
        public bool Jitter { get; set; } = true;

        /// <summary>
        /// How long a connection must stay open before the attempt count starts over, so a server
        /// that accepts and drops at once still runs out of <see cref="MaxAttempts"/>.
        /// WebGL keeps the default.
        /// </summary>
        public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// The least delay after the server closed with 1013 "try again later" (within
        /// <see cref="MaxDelay"/>). WebGL keeps the default.
        /// </summary>
        public TimeSpan TryAgainLaterDelay { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Queue sends made while reconnecting and deliver them after the reconnect.</summary>
        public bool BufferWhileReconnecting { get; set; } = true;

        /// <summary>Bound on buffered messages while reconnecting.</summary>
        public int BufferMaxMessages { get; set; } = 1024;

        /// <summary>Bound on buffered bytes while reconnecting.</summary>
        public long BufferMaxBytes { get; set; } = 16L * 1024 * 1024;

        /// <summary>
        /// Close codes from the server that trigger a reconnect (RFC 6455 §7.4.1); null keeps the
        /// engine's default (abnormal closure 1006, 1001 going away, 1011/1012/1013 server conditions).
        /// </summary>
        public ushort[] ReconnectOnCloseCodes { get; set; }
    }
}
