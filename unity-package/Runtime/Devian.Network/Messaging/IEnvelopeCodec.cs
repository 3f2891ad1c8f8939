using System;
using Devian.Network.Transports;

namespace Devian.Network.Messaging
{
    /// <summary>
    /// How <see cref="WebSocketConnectionManager"/> puts its envelopes on the wire, so it can fit a server
    /// the application does not control. <see cref="BinaryEnvelopeCodec"/> (the default, FrameV1 opcodes)
    /// and <see cref="JsonEnvelopeCodec"/> (seed 002's <c>type</c>/<c>channel</c>/<c>id</c>/<c>data</c>) ship.
    /// </summary>
    public interface IEnvelopeCodec
    {
        /// <summary>The message kind envelopes travel as.</summary>
        WebSocketMessageKind MessageKind { get; }

        /// <summary>Bytes <see cref="Encode"/> will write for this envelope (<paramref name="topic"/> UTF-8 already).</summary>
        int EncodedLength(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data);

        /// <summary>Writes the envelope into <paramref name="destination"/>, exactly <see cref="EncodedLength"/> bytes.</summary>
        void Encode(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data, Span<byte> destination);

        /// <summary>
        /// Reads a received message as an envelope; false when it is not one (the manager then leaves it
        /// to the client's other consumers). Spans point into <paramref name="message"/>.
        /// </summary>
        bool TryDecode(ReadOnlySpan<byte> message, WebSocketMessageKind kind, out EnvelopeKind envelope,
            out ReadOnlySpan<byte> topic, out uint id, out ReadOnlySpan<byte> data);
    }
}
