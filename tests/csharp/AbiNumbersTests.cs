using System;
using System.Collections.Generic;
using Devian.Network.Native;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// The hand-written C# enums read status codes, event kinds, message kinds and states straight
    /// from both the native library and the WebGL module, whose numbers come from one definition
    /// (native/policy/src/abi.rs) through the generated bindings. These fail if the two drift.
    /// </summary>
    internal static class AbiNumbersTests
    {
        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("unit", "Abi.StatusCodesAreTheGeneratedOnes", StatusCodes));
            tests.Add(new TestCase("unit", "Abi.EventAndMessageKindsAreTheGeneratedOnes", EventKinds));
            tests.Add(new TestCase("unit", "Abi.StatesAreTheGeneratedOnes", States));
        }

        private static void StatusCodes()
        {
            var names = Enum.GetNames(typeof(DwsStatus));
            Check.Equal(names.Length, Enum.GetNames(typeof(TransportStatus)).Length, "as many statuses");
            foreach (string name in names)
            {
                var native = (DwsStatus)Enum.Parse(typeof(DwsStatus), name);
                var managed = (TransportStatus)Enum.Parse(typeof(TransportStatus), name);
                Check.Equal((int)native, (int)managed, "TransportStatus." + name);
            }
        }

        private static void EventKinds()
        {
            Pair(Interop.DWS_EVENT_OPEN, (int)TransportEventKind.Open, "Open");
            Pair(Interop.DWS_EVENT_MESSAGE, (int)TransportEventKind.Message, "Message");
            Pair(Interop.DWS_EVENT_CLOSING, (int)TransportEventKind.Closing, "Closing");
            Pair(Interop.DWS_EVENT_CLOSED, (int)TransportEventKind.Closed, "Closed");
            Pair(Interop.DWS_EVENT_ERROR, (int)TransportEventKind.Error, "Error");
            Pair(Interop.DWS_EVENT_RECONNECTING, (int)TransportEventKind.Reconnecting, "Reconnecting");
            Pair(Interop.DWS_EVENT_RECONNECTED, (int)TransportEventKind.Reconnected, "Reconnected");
            Pair(Interop.DWS_EVENT_AUTHENTICATED, (int)TransportEventKind.Authenticated, "Authenticated");
            Pair(Interop.DWS_MESSAGE_TEXT, (int)TransportMessageKind.Text, "Text");
            Pair(Interop.DWS_MESSAGE_BINARY, (int)TransportMessageKind.Binary, "Binary");
        }

        private static void States()
        {
            Pair(Interop.DWS_STATE_CLOSED, (int)WebSocketState.Closed, "Closed");
            Pair(Interop.DWS_STATE_CONNECTING, (int)WebSocketState.Connecting, "Connecting");
            Pair(Interop.DWS_STATE_AUTHENTICATING, (int)WebSocketState.Authenticating, "Authenticating");
            Pair(Interop.DWS_STATE_OPEN, (int)WebSocketState.Open, "Open");
            Pair(Interop.DWS_STATE_CLOSING, (int)WebSocketState.Closing, "Closing");
            Pair(Interop.DWS_STATE_RECONNECTING, (int)WebSocketState.Reconnecting, "Reconnecting");
        }

        private static void Pair(uint generated, int handWritten, string name)
        {
            Check.Equal((int)generated, handWritten, name);
        }
    }
}
