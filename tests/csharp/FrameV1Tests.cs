using System;
using System.Collections.Generic;

namespace Devian.Network.Tests
{
    /// <summary>FrameV1: <c>[opcode:int32 LE][payload]</c>.</summary>
    internal static class FrameV1Tests
    {
        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("unit", "FrameV1.BuildThenParseRoundTrips", BuildThenParseRoundTrips));
            tests.Add(new TestCase("unit", "FrameV1.OpcodeIsLittleEndian", OpcodeIsLittleEndian));
            tests.Add(new TestCase("unit", "FrameV1.NegativeAndExtremeOpcodes", NegativeAndExtremeOpcodes));
            tests.Add(new TestCase("unit", "FrameV1.ShortFramesAreRejectedNotThrown", ShortFramesAreRejectedNotThrown));
            tests.Add(new TestCase("unit", "FrameV1.HeaderOnlyFrameHasEmptyPayload", HeaderOnlyFrameHasEmptyPayload));
            tests.Add(new TestCase("unit", "FrameV1.PayloadIsASliceNotACopy", PayloadIsASliceNotACopy));
            tests.Add(new TestCase("unit", "FrameV1.BuildIntoTooSmallDestinationThrowsAndWritesNothing", BuildIntoTooSmallDestinationThrowsAndWritesNothing));
            tests.Add(new TestCase("unit", "FrameV1.BuildIntoLargerDestinationReturnsFrameSize", BuildIntoLargerDestinationReturnsFrameSize));
            tests.Add(new TestCase("unit", "FrameV1.CalculateSizeChecksRangeAndOverflow", CalculateSizeChecksRangeAndOverflow));
        }

        private static void BuildThenParseRoundTrips()
        {
            var payload = new byte[300];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)(i * 7 + 1);
            }
            var buffer = new byte[FrameV1.CalculateSize(payload.Length)];
            int written = FrameV1.Build(buffer, 4242, payload);
            Check.Equal(304, written, "bytes written");

            int opcode;
            ReadOnlySpan<byte> parsed;
            Check.True(FrameV1.TryParse(buffer, out opcode, out parsed), "parse succeeds");
            Check.Equal(4242, opcode, "opcode");
            Check.BytesEqual(payload, parsed, "payload");
        }

        private static void OpcodeIsLittleEndian()
        {
            var buffer = new byte[4];
            FrameV1.Build(buffer, 0x01020304, ReadOnlySpan<byte>.Empty);
            Check.BytesEqual(new byte[] { 0x04, 0x03, 0x02, 0x01 }, buffer, "wire bytes of 0x01020304");

            int opcode;
            ReadOnlySpan<byte> payload;
            FrameV1.TryParse(new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xAA }, out opcode, out payload);
            Check.Equal(-2, opcode, "FE FF FF FF read as int32 LE");
            Check.Equal(1, payload.Length, "payload length");
        }

        private static void NegativeAndExtremeOpcodes()
        {
            int[] opcodes = { int.MinValue, -1, 0, 1, int.MaxValue };
            var buffer = new byte[8];
            foreach (int expected in opcodes)
            {
                FrameV1.Build(buffer, expected, new byte[] { 1, 2, 3, 4 });
                int opcode;
                ReadOnlySpan<byte> payload;
                Check.True(FrameV1.TryParse(buffer, out opcode, out payload), "parse " + expected);
                Check.Equal(expected, opcode, "opcode");
            }
        }

        private static void ShortFramesAreRejectedNotThrown()
        {
            for (int length = 0; length < FrameV1.HeaderSize; length++)
            {
                int opcode = 99;
                ReadOnlySpan<byte> payload;
                bool ok = FrameV1.TryParse(new byte[length], out opcode, out payload);
                Check.True(!ok, "a " + length + "-byte frame is rejected");
                Check.Equal(0, opcode, "opcode reset on reject");
                Check.Equal(0, payload.Length, "payload empty on reject");
            }
        }

        private static void HeaderOnlyFrameHasEmptyPayload()
        {
            int opcode;
            ReadOnlySpan<byte> payload;
            Check.True(FrameV1.TryParse(new byte[] { 7, 0, 0, 0 }, out opcode, out payload), "4 bytes parse");
            Check.Equal(7, opcode, "opcode");
            Check.Equal(0, payload.Length, "empty payload");
        }

        private static unsafe void PayloadIsASliceNotACopy()
        {
            var frame = new byte[] { 1, 0, 0, 0, 10, 20, 30 };
            int opcode;
            ReadOnlySpan<byte> payload;
            FrameV1.TryParse(frame, out opcode, out payload);
            fixed (byte* f = frame)
            fixed (byte* p = payload)
            {
                Check.True(p == f + 4, "payload points into the frame buffer");
            }
        }

        private static void BuildIntoTooSmallDestinationThrowsAndWritesNothing()
        {
            var destination = new byte[6];
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = 0xCC;
            }
            var ex = Check.Throws<ArgumentException>(() => FrameV1.Build(destination, 1, new byte[3]), "7-byte frame into 6 bytes");
            Check.Equal("destination", ex.ParamName, "ParamName");
            foreach (byte b in destination)
            {
                Check.Equal((byte)0xCC, b, "destination untouched");
            }
        }

        private static void BuildIntoLargerDestinationReturnsFrameSize()
        {
            var destination = new byte[64];
            int written = FrameV1.Build(destination, 5, new byte[] { 9, 9 });
            Check.Equal(6, written, "written");
            Check.Equal((byte)0, destination[6], "nothing past the frame");
        }

        private static void CalculateSizeChecksRangeAndOverflow()
        {
            Check.Equal(4, FrameV1.CalculateSize(0), "empty payload");
            Check.Equal(int.MaxValue, FrameV1.CalculateSize(int.MaxValue - 4), "largest payload");
            Check.Throws<ArgumentOutOfRangeException>(() => FrameV1.CalculateSize(int.MaxValue - 3), "overflowing payload");
            Check.Throws<ArgumentOutOfRangeException>(() => FrameV1.CalculateSize(-1), "negative length");
        }
    }
}
