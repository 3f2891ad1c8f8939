using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Devian.Network.Unity;
using NUnit.Framework;
using UnityEngine;
using UnityEngine.TestTools;

namespace Devian.Network.Tests
{
    /// <summary>
    /// Play-mode tests of <see cref="WebSocketBehaviour"/>. The [UnityTest]s talk to a binary
    /// echo server on loopback: set DEVIAN_WS_ECHO_URL (default ws://127.0.0.1:9001/), for
    /// example to the Rust echo example or `python -m websockets` echo. Without a server they
    /// are reported as ignored, not failed.
    /// </summary>
    public sealed class WebSocketBehaviourTests
    {
        private const float Timeout = 10f;
        private GameObject _host;
        private WebSocketBehaviour _socket;
        private int _mainThread;

        private static string EchoUrl
        {
            get
            {
                var url = Environment.GetEnvironmentVariable("DEVIAN_WS_ECHO_URL");
                return string.IsNullOrEmpty(url) ? WebSocketBehaviour.DefaultUrl : url;
            }
        }

        [SetUp]
        public void SetUp()
        {
            _mainThread = Thread.CurrentThread.ManagedThreadId;
            _host = new GameObject("WebSocketBehaviourTests");
            _host.SetActive(false);
            _socket = _host.AddComponent<WebSocketBehaviour>();
            _socket.ConnectOnEnable = false;
            _host.SetActive(true);
        }

        [TearDown]
        public void TearDown()
        {
            if (_host != null)
                UnityEngine.Object.DestroyImmediate(_host);
        }

        [Test]
        public void Send_WithoutConnection_ReturnsFalse()
        {
            Assert.IsFalse(_socket.IsOpen);
            Assert.IsFalse(_socket.Send(1, new byte[] { 1 }));
            Assert.IsFalse(_socket.SendText(1, "x"));
        }

        [Test]
        public void WaitHelpers_RejectNonPositiveTimeouts()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _socket.WaitForOpen(0f));
            Assert.Throws<ArgumentOutOfRangeException>(() => _socket.WaitForMessage(-1f));
            Assert.Throws<ArgumentOutOfRangeException>(() => _socket.WaitForOpen(float.NaN));
        }

        [Test]
        public void Connect_WithThrowingFailedHandler_StillDoesNotThrow()
        {
            // RFC 6455 section 3: an http:// URI is rejected synchronously, inside Connect, which
            // promises to report failures through the events and never to throw.
            LogAssert.Expect(LogType.Exception, new Regex("handler bug in Failed"));
            _socket.Failed += e => { throw new InvalidOperationException("handler bug in Failed"); };
            Assert.DoesNotThrow(() => _socket.Connect("http://127.0.0.1:1/not-a-websocket-uri"));
            Assert.IsNull(_socket.Client);
        }

        [UnityTest]
        public IEnumerator ConnectToMalformedUrl_ReportsErrorOnMainThread_WithoutThrowing()
        {
            // RFC 6455 section 3: only ws:// and wss:// URIs are valid WebSocket URIs.
            var errorThreads = new List<int>();
            _socket.Failed += e => errorThreads.Add(Thread.CurrentThread.ManagedThreadId);
            var wait = _socket.WaitForOpen(Timeout);
            _socket.Connect("http://127.0.0.1:1/not-a-websocket-uri");
            yield return wait;

            Assert.IsFalse(wait.IsOpen);
            Assert.IsFalse(wait.TimedOut, "a malformed URI must fail fast, not time out");
            Assert.IsNotEmpty(errorThreads);
            foreach (var id in errorThreads)
                Assert.AreEqual(_mainThread, id);
        }

        [UnityTest]
        public IEnumerator BinaryEcho_RoundTrips_AndEventsArriveOnMainThread()
        {
            var threads = new List<int>();
            _socket.Opened += () => threads.Add(Thread.CurrentThread.ManagedThreadId);
            _socket.FrameReceived += (op, bytes) => threads.Add(Thread.CurrentThread.ManagedThreadId);

            yield return ConnectOrIgnore();

            var payload = new byte[300];
            for (int i = 0; i < payload.Length; i++)
                payload[i] = (byte)(i * 7);
            var next = _socket.WaitForMessage(Timeout);
            Assert.IsTrue(_socket.Send(0x01020304, payload));
            yield return next;

            Assert.IsTrue(next.Received, "no echo within the timeout");
            Assert.AreEqual(0x01020304, next.Opcode);
            CollectionAssert.AreEqual(payload, next.Payload);
            Assert.GreaterOrEqual(threads.Count, 2);
            foreach (var id in threads)
                Assert.AreEqual(_mainThread, id);
        }

        [UnityTest]
        public IEnumerator TextEcho_RaisesUnityEventWithDecodedText()
        {
            yield return ConnectOrIgnore();

            string text = null;
            int opcode = 0;
            _socket.onTextMessage.AddListener((op, s) => { opcode = op; text = s; });
            var next = _socket.WaitForMessage(Timeout);
            // Multi-byte UTF-8 on purpose: the decode must not split code points.
            Assert.IsTrue(_socket.SendText(9, "h\u00e9llo \u4e16\u754c"));
            yield return next;

            Assert.IsTrue(next.Received);
            Assert.AreEqual(9, opcode);
            Assert.AreEqual("h\u00e9llo \u4e16\u754c", text);
            CollectionAssert.AreEqual(Encoding.UTF8.GetBytes("h\u00e9llo \u4e16\u754c"), next.Payload);
        }

        [UnityTest]
        public IEnumerator EmptyPayload_RoundTrips()
        {
            yield return ConnectOrIgnore();
            var next = _socket.WaitForMessage(Timeout);
            Assert.IsTrue(_socket.Send(5, ReadOnlySpan<byte>.Empty));
            yield return next;
            Assert.IsTrue(next.Received);
            Assert.AreEqual(5, next.Opcode);
            Assert.AreEqual(0, next.Payload.Length);
        }

        [UnityTest]
        public IEnumerator ManyMessages_ArriveInOrder()
        {
            yield return ConnectOrIgnore();
            const int count = 50;
            var opcodes = new List<int>();
            _socket.FrameReceived += (op, payload) => opcodes.Add(op);
            for (int i = 0; i < count; i++)
                Assert.IsTrue(_socket.Send(i, new byte[] { (byte)i }));

            float deadline = Time.realtimeSinceStartup + Timeout;
            while (opcodes.Count < count && Time.realtimeSinceStartup < deadline)
                yield return null;

            Assert.AreEqual(count, opcodes.Count);
            for (int i = 0; i < count; i++)
                Assert.AreEqual(i, opcodes[i]);
        }

        [UnityTest]
        public IEnumerator ThrowingFrameHandler_IsLogged_AndLaterMessagesStillArrive()
        {
            yield return ConnectOrIgnore();
            // NetworkClient shields the transport from handler exceptions; the component must
            // still surface them (Debug.LogException) instead of counting them silently.
            LogAssert.Expect(LogType.Exception, new Regex("handler bug for opcode 7"));
            var opcodes = new List<int>();
            _socket.FrameReceived += (op, payload) =>
            {
                opcodes.Add(op);
                if (op == 7)
                    throw new InvalidOperationException("handler bug for opcode 7");
            };
            Assert.IsTrue(_socket.Send(7, new byte[] { 1 }));
            Assert.IsTrue(_socket.Send(8, new byte[] { 2 }));

            float deadline = Time.realtimeSinceStartup + Timeout;
            while (opcodes.Count < 2 && Time.realtimeSinceStartup < deadline)
                yield return null;

            CollectionAssert.AreEqual(new[] { 7, 8 }, opcodes);
            Assert.AreEqual(1, _socket.Client.Core.DispatchErrorCount);
        }

        [UnityTest]
        public IEnumerator Close_RaisesClosedOnMainThread_AndEndsPendingWaits()
        {
            yield return ConnectOrIgnore();
            int closeThread = -1;
            int closeCode = -1;
            _socket.Closed += (code, reason) => { closeThread = Thread.CurrentThread.ManagedThreadId; closeCode = code; };
            var next = _socket.WaitForMessage(Timeout);
            _socket.Close();
            yield return next;

            Assert.IsFalse(next.Received);
            Assert.IsFalse(next.TimedOut, "closing must end a pending WaitForMessage");
            Assert.AreEqual(_mainThread, closeThread);
            // RFC 6455 section 7.4.1: 1000 is a normal closure.
            Assert.AreEqual(1000, closeCode);
            Assert.IsFalse(_socket.IsOpen);
        }

        [UnityTest]
        public IEnumerator DestroyingTheComponent_ReleasesTheClient()
        {
            yield return ConnectOrIgnore();
            var pending = _socket.WaitForMessage(Timeout);
            UnityEngine.Object.Destroy(_host);
            _host = null;
            yield return null;
            yield return pending;
            Assert.IsFalse(pending.Received);
            Assert.IsFalse(pending.TimedOut, "a destroyed component must end pending waits");
        }

        [UnityTest]
        public IEnumerator ConnectOnEnable_ConnectsWhenActivated()
        {
            var host = new GameObject("ConnectOnEnable");
            try
            {
                host.SetActive(false);
                var socket = host.AddComponent<WebSocketBehaviour>();
                socket.Url = EchoUrl;
                socket.ConnectOnEnable = true;
                Assert.IsNull(socket.Client, "an inactive component must not connect");
                host.SetActive(true);
                Assert.IsNotNull(socket.Client, "activation must start connecting");
                var wait = socket.WaitForOpen(Timeout);
                yield return wait;
                if (!wait.IsOpen)
                    Assert.Ignore("no WebSocket echo server at " + EchoUrl);
                Assert.IsTrue(socket.IsOpen);
            }
            finally
            {
                UnityEngine.Object.DestroyImmediate(host);
            }
        }

        [UnityTest]
        public IEnumerator Disabling_WithCloseOnDisable_ReleasesAndReportsGoingAway()
        {
            yield return ConnectOrIgnore();
            int code = -1;
            _socket.Closed += (c, reason) => code = c;
            _socket.CloseOnDisable = true;
            _socket.enabled = false;
            Assert.IsNull(_socket.Client);
            Assert.IsFalse(_socket.IsOpen);
            // RFC 6455 section 7.4.1: 1001, the endpoint is going away (what Dispose sends).
            Assert.AreEqual(1001, code);
        }

        private IEnumerator ConnectOrIgnore()
        {
            var wait = _socket.WaitForOpen(Timeout);
            _socket.Connect(EchoUrl);
            yield return wait;
            if (!wait.IsOpen)
                Assert.Ignore("no WebSocket echo server at " + EchoUrl + " (set DEVIAN_WS_ECHO_URL): " +
                              (wait.TimedOut ? "timed out" : wait.Error != null ? wait.Error.Message : "closed"));
        }
    }
}
