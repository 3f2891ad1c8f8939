using System;
using System.Collections.Generic;

namespace Devian.Network.Tests
{
    /// <summary>NetworkClient: parse, dispatch, count, never throw into the transport.</summary>
    internal static class NetworkClientTests
    {
        /// <summary>Records calls; handles opcodes below 100; throws for opcode 666.</summary>
        private sealed class ScriptedRuntime : INetRuntime
        {
            public readonly List<string> Calls = new List<string>();

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                Calls.Add(sessionId + ":" + opcode + ":" + payload.Length);
                if (opcode == 666)
                {
                    throw new InvalidOperationException("runtime bug");
                }
                return opcode < 100;
            }
        }

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("unit", "NetworkClient.DispatchesInOrderWithSessionOpcodeAndPayload", DispatchesInOrder));
            tests.Add(new TestCase("unit", "NetworkClient.CountsUnhandledOpcodes", CountsUnhandledOpcodes));
            tests.Add(new TestCase("unit", "NetworkClient.MalformedFramesAreCountedAndNotDispatched", MalformedFramesAreCounted));
            tests.Add(new TestCase("unit", "NetworkClient.RuntimeExceptionIsCountedAndSurfacedNotThrown", RuntimeExceptionIsCounted));
            tests.Add(new TestCase("unit", "NetworkClient.ThrowingErrorHandlerIsContained", ThrowingErrorHandlerIsContained));
            tests.Add(new TestCase("unit", "NetworkClient.RequiresRuntime", RequiresRuntime));
        }

        private static byte[] Frame(int opcode, int payloadLength)
        {
            var frame = new byte[FrameV1.CalculateSize(payloadLength)];
            FrameV1.Build(frame, opcode, new byte[payloadLength]);
            return frame;
        }

        private static void DispatchesInOrder()
        {
            var runtime = new ScriptedRuntime();
            var client = new NetworkClient(runtime);
            client.OnFrame(3, Frame(1, 0));
            client.OnFrame(3, Frame(2, 10));
            client.OnFrame(4, Frame(-5, 1));
            Check.Equal("3:1:0|3:2:10|4:-5:1", string.Join("|", runtime.Calls), "calls");
            Check.Equal(3L, client.DispatchedCount, "dispatched");
            Check.Equal(0L, client.UnhandledCount + client.MalformedCount + client.DispatchErrorCount, "no other counts");
        }

        private static void CountsUnhandledOpcodes()
        {
            var runtime = new ScriptedRuntime();
            var client = new NetworkClient(runtime);
            client.OnFrame(0, Frame(100, 2));
            client.OnFrame(0, Frame(5, 2));
            client.OnFrame(0, Frame(200, 0));
            Check.Equal(2L, client.UnhandledCount, "unhandled");
            Check.Equal(1L, client.DispatchedCount, "dispatched");
        }

        private static void MalformedFramesAreCounted()
        {
            var runtime = new ScriptedRuntime();
            var client = new NetworkClient(runtime);
            client.OnFrame(0, ReadOnlySpan<byte>.Empty);
            client.OnFrame(0, new byte[] { 1, 2, 3 });
            Check.Equal(2L, client.MalformedCount, "malformed");
            Check.Equal(0, runtime.Calls.Count, "runtime never sees a malformed frame");
        }

        private static void RuntimeExceptionIsCounted()
        {
            var runtime = new ScriptedRuntime();
            var client = new NetworkClient(runtime);
            int seenSession = -1;
            int seenOpcode = -1;
            Exception seen = null;
            client.OnDispatchError += (s, o, e) => { seenSession = s; seenOpcode = o; seen = e; };
            Check.NoThrow(() => client.OnFrame(9, Frame(666, 4)), "OnFrame with a throwing runtime");
            Check.Equal(1L, client.DispatchErrorCount, "errors counted");
            Check.Equal(9, seenSession, "session passed to handler");
            Check.Equal(666, seenOpcode, "opcode passed to handler");
            Check.True(seen is InvalidOperationException && seen.Message == "runtime bug", "the runtime's exception is surfaced");
            Check.True(ReferenceEquals(seen, client.LastDispatchError), "LastDispatchError");
            client.OnFrame(9, Frame(1, 0));
            Check.Equal(1L, client.DispatchedCount, "later frames still dispatch");
        }

        private static void ThrowingErrorHandlerIsContained()
        {
            var client = new NetworkClient(new ScriptedRuntime());
            client.OnDispatchError += (s, o, e) => { throw new Exception("handler bug"); };
            Check.NoThrow(() => client.OnFrame(0, Frame(666, 0)), "OnFrame with throwing runtime and handler");
            Check.Equal(1L, client.DispatchErrorCount, "counted");
        }

        private static void RequiresRuntime()
        {
            Check.Throws<ArgumentNullException>(() => new NetworkClient(null), "null runtime");
        }
    }
}
