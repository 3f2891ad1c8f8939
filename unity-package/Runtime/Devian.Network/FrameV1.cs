using System;
using System.Buffers.Binary;

namespace Devian.Network
{
    /// <summary>
    /// The FrameV1 message format: <c>[opcode:int32 little-endian][payload...]</c>, carried as one
    /// binary WebSocket message (the WebSocket message boundary is the frame boundary).
    /// </summary>
    public static class FrameV1
    {
        /// <summary>Size of the opcode header in bytes.</summary>
        public const int HeaderSize = 4;

        /// <summary>Largest payload whose frame size still fits in an <see cref="int"/>.</summary>
        public const int MaxPayloadLength = int.MaxValue - HeaderSize;

        /// <summary>
        /// Splits a frame into opcode and payload. Never throws: a frame shorter than
        /// <see cref="HeaderSize"/> is rejected with <c>false</c> (opcode 0, empty payload).
        /// The payload is a slice of <paramref name="frame"/>, not a copy.
        /// </summary>
        public static bool TryParse(ReadOnlySpan<byte> frame, out int opcode, out ReadOnlySpan<byte> payload)
        {
            if (frame.Length < HeaderSize)
            {
                opcode = 0;
                payload = ReadOnlySpan<byte>.Empty;
                return false;
            }
            opcode = BinaryPrimitives.ReadInt32LittleEndian(frame);
            payload = frame.Slice(HeaderSize);
            return true;
        }

        /// <summary>
        /// Writes a frame into <paramref name="destination"/> and returns the number of bytes written
        /// (<see cref="CalculateSize"/> of the payload length).
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the frame.
        /// Nothing is written then. Building into a too-small buffer is a caller bug, hence an exception.</exception>
        public static int Build(Span<byte> destination, int opcode, ReadOnlySpan<byte> payload)
        {
            int size = CalculateSize(payload.Length);
            if (destination.Length < size)
            {
                throw new ArgumentException(
                    "destination holds " + destination.Length + " bytes but the frame needs " + size,
                    "destination");
            }
            BinaryPrimitives.WriteInt32LittleEndian(destination, opcode);
            payload.CopyTo(destination.Slice(HeaderSize));
            return size;
        }

        /// <summary>Total frame size for a payload of <paramref name="payloadLength"/> bytes.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The length is negative or the size would overflow <see cref="int"/>.</exception>
        public static int CalculateSize(int payloadLength)
        {
            if (payloadLength < 0 || payloadLength > MaxPayloadLength)
            {
                throw new ArgumentOutOfRangeException(
                    "payloadLength", payloadLength, "must be between 0 and " + MaxPayloadLength);
            }
            return payloadLength + HeaderSize;
        }
    }
}
