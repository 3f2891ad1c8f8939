using System;

namespace Devian.Network
{
    /// <summary>Opcode-based dispatch of inbound frames (seed 004).</summary>
    public interface INetRuntime
    {
        /// <summary>
        /// Dispatches one inbound message. The payload span is only valid during the call (it points
        /// into a pooled buffer that is reused afterwards): copy what must outlive it.
        /// </summary>
        /// <returns>true if the opcode was handled, false if it is unknown.</returns>
        bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload);
    }
}
