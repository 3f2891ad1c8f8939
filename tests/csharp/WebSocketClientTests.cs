using System;
using System.Text;
using System.Collections.Generic;
using System.Threading;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>WebSocketClient's own rules (events, threading, dispose, errors, allocations) over <see cref="FakeTransport"/>.</summary>
    internal static class WebSocketClientTests
    {
        /// <summary>Counts dispatches and checks each payload's first byte against the opcode, allocation-free.</summary>
        internal sealed class CountingRuntime : INetRuntime
        {
            public int Count;
            public int Mismatches;
            public int LastOpcode;
            public int LastLength;

            public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
            {
                Count++;
                LastOpcode = opcode;
                LastLength = payload.Length;
                if (payload.Length > 0 && payload[0] != (byte)opcode)
                {
                    Mismatches++;
                }
                return true;
            }
        }

        public static void Register(List<TestCase> tests)
        {
            tests.Add(new TestCase("unit", "WebSocketClient.EventsAreRaisedOnlyInsideUpdate", EventsAreRaisedOnlyInsideUpdate));
            tests.Add(new TestCase("unit", "WebSocketClient.MessagesReachRuntimeAndEveryEventIsReleased", MessagesReachRuntimeAndEveryEventIsReleased));
            tests.Add(new TestCase("unit", "WebSocketClient.OnCloseIsRaisedExactlyOnce", OnCloseIsRaisedExactlyOnce));
            tests.Add(new TestCase("unit", "WebSocketClient.TextMessagesWithoutOnMessageAreCountedNotDispatched", TextMessagesAreCountedNotDispatched));
            tests.Add(new TestCase("unit", "WebSocketClient.OnMessageSeesTextAndBinaryThenFrameV1Dispatch", OnMessageSeesEveryMessage));
            tests.Add(new TestCase("unit", "WebSocketClient.MessageLevelClientNeedsNoNetworkClient", MessageLevelClientNeedsNoNetworkClient));
            tests.Add(new TestCase("unit", "WebSocketClient.SendTextEncodesUtf8InPlaceAndRefusesLoneSurrogates", SendTextEncodesUtf8InPlace));
            tests.Add(new TestCase("unit", "WebSocketClient.SendFrameWritesOpcodeLittleEndianThenPayload", SendFrameWritesFrameV1));
            tests.Add(new TestCase("unit", "WebSocketClient.ThrowingOnMessageHandlerIsCountedAndUpdateGoesOn", ThrowingOnMessageHandler));
            tests.Add(new TestCase("unit", "WebSocketClient.ThrowingLifecycleHandlerIsReportedAndOthersStillRun", ThrowingLifecycleHandlerIsReported));
            tests.Add(new TestCase("unit", "WebSocketClient.DisposeInsideHandlerStopsUpdate", DisposeInsideHandlerStopsUpdate));
            tests.Add(new TestCase("unit", "WebSocketClient.ReconnectErrorAndAuthEventsAreRaised", ReconnectErrorAndAuthEventsAreRaised));
            tests.Add(new TestCase("unit", "WebSocketClient.StatusCodesMapToClearExceptions", StatusCodesMapToClearExceptions));
            tests.Add(new TestCase("unit", "WebSocketClient.FailedConnectDisposesTransportAndThrows", FailedConnectDisposesTransportAndThrows));
            tests.Add(new TestCase("unit", "WebSocketClient.CloseValidatesCodeAndReason", CloseValidatesCodeAndReason));
            tests.Add(new TestCase("unit", "WebSocketClient.CloseWhileClosingIsIgnored", CloseWhileClosingIsIgnored));
            tests.Add(new TestCase("unit", "WebSocketClient.MisuseBeforeConnect", MisuseBeforeConnect));
            tests.Add(new TestCase("unit", "WebSocketClient.MisuseAfterDispose", MisuseAfterDispose));
            tests.Add(new TestCase("unit", "WebSocketClient.CallsFromSecondThreadThrow", CallsFromSecondThreadThrow));
            tests.Add(new TestCase("unit", "WebSocketClient.DisposeFromSecondThreadIsAllowed", DisposeFromSecondThreadIsAllowed));
            tests.Add(new TestCase("unit", "WebSocketClient.ConnectAgainOnlyAfterOnClose", ConnectAgainOnlyAfterOnClose));
            tests.Add(new TestCase("unit", "WebSocketClient.ShortFrameIsRejected", ShortFrameIsRejected));
            tests.Add(new TestCase("unit", "WebSocketClient.InvalidOptionsFailAtConnect", InvalidOptionsFailAtConnect));
            tests.Add(new TestCase("unit", "WebSocketClient.BoundedUpdateLeavesTheRestQueued", BoundedUpdateLeavesTheRestQueued));
            tests.Add(new TestCase("unit", "WebSocketClient.SendFrameAndUpdateAllocateNothing", SendFrameAndUpdateAllocateNothing));
        }

        private static WebSocketClient NewClient(FakeTransport fake, INetRuntime runtime)
        {
            return new WebSocketClient(new NetworkClient(runtime), new WebSocketOptions(), 7, () => fake);
        }

        private static byte[] Frame(int opcode, int payloadLength)
        {
            var payload = new byte[payloadLength];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)opcode;
            }
            var frame = new byte[FrameV1.CalculateSize(payloadLength)];
            FrameV1.Build(frame, opcode, payload);
            return frame;
        }

        private static void EventsAreRaisedOnlyInsideUpdate()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            int opened = 0;
            client.OnOpen += () => opened++;
            client.Connect("ws://127.0.0.1:1/", new[] { "devian.v1" });
            Check.Equal("ws://127.0.0.1:1/", fake.ConnectUrl, "url passed through");
            Check.Equal("devian.v1", fake.ConnectProtocols[0], "sub-protocol passed through");
            fake.EnqueueOpen("devian.v1");
            Check.Equal(0, opened, "no event before Update");
            client.Update();
            Check.Equal(1, opened, "OnOpen raised by Update");
            Check.Equal("devian.v1", client.Protocol, "negotiated protocol");
            Check.True(client.IsOpen, "IsOpen");
            client.Update();
            Check.Equal(1, opened, "raised once");
        }

        private static void MessagesReachRuntimeAndEveryEventIsReleased()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            for (int i = 0; i < 50; i++)
            {
                fake.EnqueueMessage(TransportMessageKind.Binary, Frame(i, i * 3));
            }
            fake.EnqueueMessage(TransportMessageKind.Binary, new byte[] { 1, 2 });
            client.Update();
            Check.Equal(50, runtime.Count, "dispatched");
            Check.Equal(0, runtime.Mismatches, "payload bytes intact");
            Check.Equal(49, runtime.LastOpcode, "in order");
            Check.Equal(1L, client.Core.MalformedCount, "2-byte message counted malformed");
            Check.Equal(52, fake.ReleaseCount, "every polled event released");
            Check.Equal(0, fake.PollWhileHeld + fake.ReleaseWithoutEvent, "poll/release strictly paired");
        }

        private static void OnCloseIsRaisedExactlyOnce()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            var closes = new List<string>();
            client.OnClose += (code, reason) => closes.Add(code + " " + reason);
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            client.Update();
            client.Close(4000, "bye");
            Check.Equal((ushort)4000, fake.CloseCode, "close code passed");
            Check.Equal("bye", fake.CloseReason, "close reason passed");
            fake.EnqueueClosed(4000, "bye");
            fake.EnqueueClosed(1006, "");
            client.Update();
            client.Update();
            Check.Equal(1, closes.Count, "OnClose count");
            Check.Equal("4000 bye", closes[0], "code and reason");
        }

        private static void TextMessagesAreCountedNotDispatched()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            client.Connect("ws://x/");
            fake.EnqueueMessage(TransportMessageKind.Text, new byte[] { 65, 66, 67, 68, 69 });
            client.Update();
            Check.Equal(0, runtime.Count, "text is not FrameV1");
            Check.Equal(1L, client.IgnoredTextMessages, "counted");
        }

        private static void OnMessageSeesEveryMessage()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            var seen = new List<string>();
            client.OnMessage += (data, kind) => seen.Add(kind + ":" + data.Length);
            client.Connect("ws://x/");
            fake.EnqueueMessage(TransportMessageKind.Text, Encoding.UTF8.GetBytes("héllo"));
            fake.EnqueueMessage(TransportMessageKind.Binary, Frame(5, 3));
            client.Update();
            Check.Equal("Text:6,Binary:7", string.Join(",", seen), "both kinds, in order");
            Check.Equal(1, runtime.Count, "the binary message also went through FrameV1 dispatch");
            Check.Equal(0L, client.IgnoredTextMessages, "a subscriber saw the text");
        }

        private static void MessageLevelClientNeedsNoNetworkClient()
        {
            var fake = new FakeTransport();
            var client = new WebSocketClient(null, new WebSocketOptions(), 0, () => fake);
            string text = null;
            int binary = -1;
            client.OnMessage += (data, kind) =>
            {
                if (kind == WebSocketMessageKind.Text) text = Encoding.UTF8.GetString(data.ToArray());
                else binary = data.Length;
            };
            client.Connect("ws://x/");
            fake.EnqueueMessage(TransportMessageKind.Text, Encoding.UTF8.GetBytes("{\"op\":\"join\"}"));
            fake.EnqueueMessage(TransportMessageKind.Binary, new byte[] { 1, 2 });
            client.Update();
            Check.Equal("{\"op\":\"join\"}", text, "text delivered as sent");
            Check.Equal(2, binary, "binary delivered without FrameV1 parsing");
            Check.True(client.Core == null, "no dispatcher");
            Check.Throws<ArgumentNullException>(() => new WebSocketClient((NetworkClient)null), "the FrameV1 constructors still need one");
        }

        private static void SendTextEncodesUtf8InPlace()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            client.SendText("añ€😀");
            byte[] want = Encoding.UTF8.GetBytes("añ€😀");
            Check.Equal(TransportMessageKind.Text, fake.LastSentKind, "kind");
            Check.Equal(Convert.ToBase64String(want), Convert.ToBase64String(fake.LastSent, 0, fake.LastSentLength), "UTF-8 bytes");
            client.SendText(string.Empty);
            Check.Equal(0, fake.LastSentLength, "empty text is a message too");
            int before = fake.SendCount;
            // RFC 6455 §5.6 / §8.1: text must be valid UTF-8; a lone surrogate cannot be encoded.
            Check.Throws<ArgumentException>(() => client.SendText("a\ud800b"), "lone surrogate");
            Check.Equal(before, fake.SendCount, "nothing sent");
            Check.Throws<ArgumentNullException>(() => client.SendText(null), "null");
            client.Send(new byte[] { 0xff }, WebSocketMessageKind.Binary);
            Check.Equal(TransportMessageKind.Binary, fake.LastSentKind, "binary kind");
            Check.Throws<ArgumentException>(() => client.Send(new byte[1], (WebSocketMessageKind)9), "unknown kind");
        }

        private static void SendFrameWritesFrameV1()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            client.SendFrame(-7, new byte[] { 0xaa, 0xbb });
            Check.Equal(TransportMessageKind.Binary, fake.LastSentKind, "binary");
            Check.Equal("+f///6q7", Convert.ToBase64String(fake.LastSent, 0, fake.LastSentLength), "[opcode int32 LE][payload]");
        }

        private static void ThrowingOnMessageHandler()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            var errors = new List<Exception>();
            client.OnError += errors.Add;
            client.OnMessage += (data, kind) => { throw new ApplicationException("game bug"); };
            client.Connect("ws://x/");
            fake.EnqueueMessage(TransportMessageKind.Binary, Frame(1, 1));
            fake.EnqueueMessage(TransportMessageKind.Binary, Frame(2, 1));
            Check.Equal(2, client.Update(10), "both handled");
            Check.Equal(2L, client.HandlerErrorCount, "counted");
            Check.Equal(2, errors.Count, "reported through OnError");
            Check.Equal(2, runtime.Count, "FrameV1 dispatch still ran");
        }

        private static void ThrowingLifecycleHandlerIsReported()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            int secondOpen = 0, secondClose = 0;
            var errors = new List<Exception>();
            client.OnOpen += () => { throw new ApplicationException("game bug"); };
            client.OnOpen += () => secondOpen++;
            client.OnClose += (code, reason) => { throw new ApplicationException("close bug"); };
            client.OnClose += (code, reason) => secondClose++;
            client.OnError += e => errors.Add(e);
            client.OnError += e => { throw new ApplicationException("error handler bug"); };
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            fake.EnqueueMessage(TransportMessageKind.Binary, Frame(1, 1));
            fake.EnqueueClosed(1000, "bye");
            Check.NoThrow(() => client.Update(), "Update with throwing handlers");
            Check.Equal(1, secondOpen, "the other OnOpen subscriber ran");
            Check.Equal(1, secondClose, "the other OnClose subscriber ran");
            Check.Equal(1, runtime.Count, "the message after the throwing handler was delivered");
            Check.Equal(3, fake.ReleaseCount, "every event released");
            Check.Equal(2, errors.Count, "each handler exception reported once through OnError");
            Check.True(errors[0] is WebSocketHandlerException && errors[0].InnerException.Message == "game bug", "wrapped: " + errors[0]);
            // Two reported exceptions, plus the OnError subscriber that threw for each (not re-reported).
            Check.Equal(4L, client.HandlerErrorCount, "handler errors counted");
        }

        private static void DisposeInsideHandlerStopsUpdate()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            client.OnOpen += () => client.Dispose();
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            fake.EnqueueMessage(TransportMessageKind.Binary, Frame(1, 1));
            Check.NoThrow(() => client.Update(), "Update whose handler disposes");
            Check.Equal(0, runtime.Count, "nothing dispatched after Dispose");
            Check.Equal(1, fake.DisposeCount, "transport disposed once");
            Check.Equal(1, fake.ReleaseCount, "the event being handled is still released");
        }

        private static void ReconnectErrorAndAuthEventsAreRaised()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            var log = new List<string>();
            client.OnReconnecting += (attempt, delay) => log.Add("reconnecting " + attempt + " " + (int)delay.TotalMilliseconds);
            client.OnReconnected += () => log.Add("reconnected");
            client.OnAuthenticated += () => log.Add("authenticated");
            client.OnError += e => log.Add("error " + ((WebSocketClientException)e).ErrorKind + " " + e.Message);
            client.Connect("ws://x/");
            fake.EnqueueError(3, "connection reset");
            fake.EnqueueReconnecting(2, 250);
            fake.Enqueue(TransportEventKind.Reconnected, TransportMessageKind.None, new byte[0], 0);
            fake.Enqueue(TransportEventKind.Authenticated, TransportMessageKind.None, new byte[0], 0);
            fake.Enqueue(TransportEventKind.Closing, TransportMessageKind.None, new byte[0], 0);
            fake.Enqueue((TransportEventKind)99, TransportMessageKind.None, new byte[0], 0);
            client.Update();
            Check.Equal("error 3 connection reset|reconnecting 2 250|reconnected|authenticated", string.Join("|", log), "events in order");
        }

        private static void StatusCodesMapToClearExceptions()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            var frame = Frame(1, 4);

            fake.SendStatus = TransportStatus.QueueFull;
            fake.ErrorText = "send queue full (8192 messages)";
            var full = Check.Throws<WebSocketQueueFullException>(() => client.SendFrame(frame), "QueueFull");
            Check.True(full.Message.Contains("send queue full (8192 messages)"), "engine message included: " + full.Message);
            Check.True(full is InvalidOperationException, "QueueFull is an InvalidOperationException");
            Check.Throws<WebSocketQueueFullException>(() => client.SendFrame(2, frame), "QueueFull (in-place frame)");

            fake.SendStatus = TransportStatus.InvalidState;
            Check.Throws<InvalidOperationException>(() => client.SendFrame(frame), "InvalidState");
            fake.SendStatus = TransportStatus.Closed;
            Check.Throws<InvalidOperationException>(() => client.SendFrame(frame), "Closed");
            fake.SendStatus = TransportStatus.InvalidArgument;
            Check.Throws<ArgumentException>(() => client.SendFrame(frame), "InvalidArgument");
            fake.SendStatus = TransportStatus.InvalidHandle;
            Check.Throws<ObjectDisposedException>(() => client.SendFrame(frame), "InvalidHandle");
            fake.SendStatus = TransportStatus.Panic;
            Check.Throws<WebSocketClientException>(() => client.SendFrame(frame), "Panic");
            fake.SendStatus = TransportStatus.Ok;
            fake.PollStatus = TransportStatus.Internal;
            Check.Throws<WebSocketClientException>(() => client.Update(), "Internal from poll");
        }

        private static void FailedConnectDisposesTransportAndThrows()
        {
            var fake = new FakeTransport();
            fake.ConnectStatus = TransportStatus.InvalidArgument;
            fake.ErrorText = "unsupported URL scheme 'http'";
            var client = NewClient(fake, new CountingRuntime());
            var ex = Check.Throws<ArgumentException>(() => client.Connect("http://x/"), "bad URL");
            Check.True(ex.Message.Contains("unsupported URL scheme"), "engine message: " + ex.Message);
            Check.Equal(1, fake.DisposeCount, "failed transport disposed");
            Check.Throws<InvalidOperationException>(() => client.SendFrame(Frame(1, 0)), "still not connected");
            Check.Throws<ArgumentException>(() => client.Connect(""), "empty URL");

            // A platform that cannot honour an option (WebGL: custom headers) throws from Connect.
            var unsupported = new FakeTransport();
            unsupported.ConnectThrows = new NotSupportedException("browsers cannot set request headers");
            var other = NewClient(unsupported, new CountingRuntime());
            Check.Throws<NotSupportedException>(() => other.Connect("ws://x/"), "unsupported option");
            Check.Equal(1, unsupported.DisposeCount, "throwing transport disposed");
            Check.Throws<InvalidOperationException>(() => other.SendFrame(Frame(1, 0)), "not connected after the failure");
        }

        private static void CloseValidatesCodeAndReason()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            client.Update();
            // RFC 6455 §7.4.1: 1005, 1006 and 1015 must not be sent; 1004 is reserved; §7.4.2: below 1000 and 5000+ are invalid.
            ushort[] bad = { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 };
            foreach (ushort code in bad)
            {
                Check.Throws<ArgumentOutOfRangeException>(() => client.Close(code, ""), "close code " + code);
            }
            // RFC 6455 §5.5: control frame payload at most 125 bytes = 2 (code) + 123 (reason).
            Check.Throws<ArgumentException>(() => client.Close(1000, new string('x', 124)), "124-byte reason");
            Check.Throws<ArgumentException>(() => client.Close(1000, new string('\u00e9', 62)), "62 two-byte chars = 124 bytes");
            Check.Equal(0, fake.CloseCount, "nothing sent for invalid input");
            client.Close(3000, new string('\u00e9', 61) + "x");
            Check.Equal(1, fake.CloseCount, "123-byte reason with code 3000 accepted");
        }

        private static void CloseWhileClosingIsIgnored()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            client.Update();
            client.Close();
            Check.Equal((ushort)1000, fake.CloseCode, "Close() sends 1000");
            client.Close(4001, "again");
            Check.Equal(1, fake.CloseCount, "second close ignored while closing");
        }

        private static void MisuseBeforeConnect()
        {
            var client = new WebSocketClient(new NetworkClient(new CountingRuntime()));
            var send = Check.Throws<InvalidOperationException>(() => client.SendFrame(Frame(1, 0)), "SendFrame before Connect");
            Check.True(send.Message.Contains("before Connect"), "message says why: " + send.Message);
            Check.Throws<InvalidOperationException>(() => client.SendFrame(1, new byte[1]), "in-place SendFrame before Connect");
            Check.Throws<InvalidOperationException>(() => client.Close(), "Close before Connect");
            Check.NoThrow(() => client.Update(), "Update before Connect is a no-op");
            Check.Equal(WebSocketState.Closed, client.State, "state before Connect");
            Check.True(!client.IsOpen, "not open");
            Check.Equal(0L, client.Statistics.MessagesSent, "zero statistics");
            client.Dispose();
        }

        private static void MisuseAfterDispose()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            client.Update();
            client.SendFrame(Frame(1, 3));
            client.SendFrame(Frame(2, 3));
            client.Dispose();
            Check.NoThrow(() => client.Dispose(), "Dispose twice");
            Check.Equal(1, fake.DisposeCount, "transport disposed once");
            Check.Throws<ObjectDisposedException>(() => client.SendFrame(Frame(1, 0)), "SendFrame after Dispose");
            Check.Throws<ObjectDisposedException>(() => client.SendFrame(1, new byte[0]), "in-place SendFrame after Dispose");
            Check.Throws<ObjectDisposedException>(() => client.Update(), "Update after Dispose");
            Check.Throws<ObjectDisposedException>(() => client.Close(), "Close after Dispose");
            Check.Throws<ObjectDisposedException>(() => client.Connect("ws://x/"), "Connect after Dispose");
            Check.Equal(2L, client.Statistics.MessagesSent, "Statistics after Dispose: the last snapshot");
            Check.True(!client.IsOpen, "IsOpen is false after Dispose");
            Check.Equal(WebSocketState.Closed, client.State, "State after Dispose");

            var never = new WebSocketClient(new NetworkClient(new CountingRuntime()));
            never.Dispose();
            Check.Throws<ObjectDisposedException>(() => never.SendFrame(Frame(1, 0)), "SendFrame after Dispose without Connect");
        }

        /// <summary>Runs <paramref name="action"/> on a new thread (bounded join) and returns what it threw.</summary>
        internal static Exception OnOtherThread(Action action)
        {
            Exception caught = null;
            var thread = new Thread(() =>
            {
                try
                {
                    action();
                }
                catch (Exception ex)
                {
                    caught = ex;
                }
            });
            thread.Start();
            if (!thread.Join(10000))
            {
                throw new AssertionException("the other thread did not finish within 10 s");
            }
            return caught;
        }

        private static void CallsFromSecondThreadThrow()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            fake.EnqueueOpen("");
            var frame = Frame(1, 0);
            var actions = new Dictionary<string, Action>
            {
                { "SendFrame", () => client.SendFrame(frame) },
                { "SendFrame(opcode)", () => client.SendFrame(1, frame) },
                { "Update", () => client.Update() },
                { "Close", () => client.Close() },
                { "Connect", () => client.Connect("ws://x/") },
            };
            foreach (var pair in actions)
            {
                Exception ex = OnOtherThread(pair.Value);
                Check.True(ex is InvalidOperationException, pair.Key + " from another thread throws InvalidOperationException (got " + (ex == null ? "nothing" : ex.GetType().Name) + ")");
                Check.True(ex.Message.Contains("thread that called Connect"), "message names the rule: " + ex.Message);
            }
            Check.Equal(0, fake.SendCount + fake.CloseCount, "nothing reached the transport");
            Check.Equal(1, fake.Pending, "the open event is still queued for the owner");
            Check.True(OnOtherThread(() => { var s = client.State; var o = client.IsOpen; }) == null, "properties readable from any thread");
            client.Update();
            Check.Equal(0, fake.Pending, "owner thread drains");
        }

        private static void DisposeFromSecondThreadIsAllowed()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            Check.True(OnOtherThread(() => client.Dispose()) == null, "Dispose from another thread");
            Check.Equal(1, fake.DisposeCount, "disposed");
            Check.Throws<ObjectDisposedException>(() => client.Update(), "owner sees ObjectDisposedException");
        }

        private static void ConnectAgainOnlyAfterOnClose()
        {
            var first = new FakeTransport();
            var second = new FakeTransport();
            var transports = new Queue<FakeTransport>(new[] { first, second });
            var client = new WebSocketClient(new NetworkClient(new CountingRuntime()), new WebSocketOptions(), 0, () => transports.Dequeue());
            client.Connect("ws://x/");
            Check.Throws<InvalidOperationException>(() => client.Connect("ws://x/"), "connect twice");
            first.EnqueueClosed(1006, "");
            client.Update();
            client.Connect("ws://y/");
            Check.Equal(1, first.DisposeCount, "old transport released");
            Check.Equal("ws://y/", second.ConnectUrl, "new transport used");
        }

        private static void ShortFrameIsRejected()
        {
            var fake = new FakeTransport();
            var client = NewClient(fake, new CountingRuntime());
            client.Connect("ws://x/");
            Check.Throws<ArgumentException>(() => client.SendFrame(new byte[3]), "3-byte frame");
            Check.Equal(0, fake.SendCount, "not sent");
        }

        private static void InvalidOptionsFailAtConnect()
        {
            var cases = new Dictionary<string, Action<WebSocketOptions>>
            {
                { "PingInterval", o => o.PingInterval = TimeSpan.FromSeconds(-1) },
                { "ConnectTimeout", o => o.ConnectTimeout = TimeSpan.Zero },
                { "MaxFrameSize", o => o.MaxFrameSize = 0 },
                { "SendQueueMaxMessages", o => o.SendQueueMaxMessages = -5 },
                { "Reconnect.Multiplier", o => o.Reconnect.Multiplier = 0.5 },
                { "Reconnect.MaxDelay", o => o.Reconnect.MaxDelay = TimeSpan.FromMilliseconds(10) },
                { "Reconnect.MaxAttempts", o => o.Reconnect.MaxAttempts = -1 },
                { "Reconnect.StableAfter", o => o.Reconnect.StableAfter = TimeSpan.FromSeconds(-1) },
                { "Reconnect.TryAgainLaterDelay", o => o.Reconnect.TryAgainLaterDelay = TimeSpan.FromSeconds(-1) },
                { "Delivery", o => o.Delivery = (WebSocketDelivery)7 },
                { "Proxy", o => { o.Proxy = "http://127.0.0.1:3128"; o.ProxyFromEnvironment = true; } },
                { "Delivery (without the reconnect buffer)", o => { o.Delivery = WebSocketDelivery.AtLeastOnce; o.Reconnect.BufferWhileReconnecting = false; } },
            };
            foreach (var pair in cases)
            {
                var options = new WebSocketOptions();
                pair.Value(options);
                var fake = new FakeTransport();
                var client = new WebSocketClient(new NetworkClient(new CountingRuntime()), options, 0, () => fake);
                var ex = Check.Throws<ArgumentException>(() => client.Connect("ws://x/"), pair.Key);
                Check.Equal(pair.Key.Split(' ')[0], ex.ParamName, "the bad property is named");
                Check.True(fake.ConnectUrl == null, "nothing reached the transport for " + pair.Key);
            }
            Check.NoThrow(() => new WebSocketOptions().Validate(), "defaults are valid");
        }

        private static void BoundedUpdateLeavesTheRestQueued()
        {
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            client.Connect("ws://x/");
            for (int i = 0; i < 10; i++)
            {
                fake.EnqueueMessage(TransportMessageKind.Binary, Frame(i, 1));
            }
            Check.Equal(4, client.Update(4), "handled at most 4");
            Check.Equal(4, runtime.Count, "dispatched 4");
            Check.Equal(3, runtime.LastOpcode, "in order");
            Check.Equal(6, client.Update(100), "the rest next time");
            Check.Equal(9, runtime.LastOpcode, "in order");
            Check.Equal(0, client.Update(1), "nothing left");
            Check.Throws<ArgumentOutOfRangeException>(() => client.Update(0), "zero bound");
        }

        private static void SendFrameAndUpdateAllocateNothing()
        {
            const int Messages = 2000;
            var fake = new FakeTransport();
            var runtime = new CountingRuntime();
            var client = NewClient(fake, runtime);
            client.Connect("ws://x/");
            var frame = Frame(3, 100);
            var payload = new byte[100];

            // Warm up: JIT, first-call initialisation.
            for (int i = 0; i < 100; i++)
            {
                client.SendFrame(frame);
                client.SendFrame(3, payload);
                fake.EnqueueMessage(TransportMessageKind.Binary, frame);
                client.Update();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Messages; i++)
            {
                client.SendFrame(frame);
                client.SendFrame(3, payload);
            }
            long sendBytes = GC.GetAllocatedBytesForCurrentThread() - before;

            for (int i = 0; i < Messages; i++)
            {
                fake.EnqueueMessage(TransportMessageKind.Binary, frame);
            }
            int dispatchedBefore = runtime.Count;
            before = GC.GetAllocatedBytesForCurrentThread();
            client.Update();
            long updateBytes = GC.GetAllocatedBytesForCurrentThread() - before;

            Check.Equal(Messages, runtime.Count - dispatchedBefore, "all dispatched");
            Check.Equal(0L, sendBytes, "bytes allocated by " + (2 * Messages) + " SendFrame calls");
            Check.Equal(0L, updateBytes, "bytes allocated by Update dispatching " + Messages + " messages");
        }
    }
}
