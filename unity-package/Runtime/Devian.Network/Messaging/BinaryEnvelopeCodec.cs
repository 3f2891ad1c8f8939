using System;
using System.Buffers.Binary;
using Devian.Network.Transports;

namespace Devian.Network.Messaging
{
    /// <summary>
    /// The default envelope: binary FrameV1 messages <c>[opcode: int32 LE][payload]</c> on reserved
    /// opcodes, so it shares a connection with a game's own FrameV1 traffic. No allocation to encode or
    /// decode.
    /// <list type="table">
    /// <item><term>-201 subscribe, -202 unsubscribe</term><description>payload: the topic (UTF-8)</description></item>
    /// <item><term>-203 publish, -204 message</term><description><c>[topic length: uint16 LE][topic][data]</c></description></item>
    /// <item><term>-205 request, -206 response</term><description><c>[id: uint32 LE][data]</c></description></item>
    /// </list>
    /// The reference server is <c>native/websocket/examples/pubsub_server.rs</c>.
    /// </summary>
    public sealed class BinaryEnvelopeCodec : IEnvelopeCodec
    {
        /// <summary>FrameV1 opcode of <see cref="EnvelopeKind.Subscribe"/>; the others follow down to -206.</summary>
        public const int FirstOpcode = -201;

        /// <inheritdoc/>
        public WebSocketMessageKind MessageKind { get { return WebSocketMessageKind.Binary; } }

        private static int Opcode(EnvelopeKind kind)
        {
            return FirstOpcode - ((int)kind - 1);
        }

        private static bool HasTopic(EnvelopeKind kind)
        {
            return kind == EnvelopeKind.Publish || kind == EnvelopeKind.Message;
        }

        /// <inheritdoc/>
        public int EncodedLength(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data)
        {
            switch (kind)
            {
                case EnvelopeKind.Subscribe:
                case EnvelopeKind.Unsubscribe:
                    return FrameV1.HeaderSize + topic.Length;
                case EnvelopeKind.Publish:
                case EnvelopeKind.Message:
                    return FrameV1.HeaderSize + 2 + topic.Length + data.Length;
                default:
                    return FrameV1.HeaderSize + 4 + data.Length;
            }
        }

        /// <inheritdoc/>
        public void Encode(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data, Span<byte> destination)
        {
            if (topic.Length > ushort.MaxValue)
            {
                throw new ArgumentException("topic longer than 65535 UTF-8 bytes", "topic");
            }
            BinaryPrimitives.WriteInt32LittleEndian(destination, Opcode(kind));
            Span<byte> body = destination.Slice(FrameV1.HeaderSize);
            if (kind == EnvelopeKind.Subscribe || kind == EnvelopeKind.Unsubscribe)
            {
                topic.CopyTo(body);
            }
            else if (HasTopic(kind))
            {
                BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)topic.Length);
                topic.CopyTo(body.Slice(2));
                data.CopyTo(body.Slice(2 + topic.Length));
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(body, id);
                data.CopyTo(body.Slice(4));
            }
        }

        /// <inheritdoc/>
        public bool TryDecode(ReadOnlySpan<byte> message, WebSocketMessageKind kind, out EnvelopeKind envelope,
            out ReadOnlySpan<byte> topic, out uint id, out ReadOnlySpan<byte> data)
        {
            envelope = 0;
            topic = default(ReadOnlySpan<byte>);
            id = 0;
            data = default(ReadOnlySpan<byte>);
            int opcode;
            ReadOnlySpan<byte> body;
            if (kind != WebSocketMessageKind.Binary || !FrameV1.TryParse(message, out opcode, out body))
            {
                return false;
            }
            int index = FirstOpcode - opcode + 1;
            if (index < (int)EnvelopeKind.Subscribe || index > (int)EnvelopeKind.Response)
            {
                return false;
            }
            envelope = (EnvelopeKind)index;
            if (envelope == EnvelopeKind.Subscribe || envelope == EnvelopeKind.Unsubscribe)
            {
                topic = body;
                return true;
            }
            if (HasTopic(envelope))
            {
                if (body.Length < 2) return false;
                int length = BinaryPrimitives.ReadUInt16LittleEndian(body);
                if (body.Length < 2 + length) return false;
                topic = body.Slice(2, length);
                data = body.Slice(2 + length);
                return true;
            }
            if (body.Length < 4) return false;
            id = BinaryPrimitives.ReadUInt32LittleEndian(body);
            data = body.Slice(4);
            return true;
        }
    }
}
