using System;
using System.Collections.Generic;
using System.Text;
using Devian.Network;
using Devian.Network.Transports;
using Devian.Network.Tests;
using N = Devian.Network.Transports.WebGLNative;

/// <summary>
/// WebSocketClient over WebGLTransport (compiled with UNITY_WEBGL) against the scripted bridge in
/// FakeWebGLNative.cs: configuration reaching the bridge, event mapping, buffer growth, FrameV1
/// sends, refusals, and no managed allocation per received message. Run by the shared runner
/// (tests/csharp/TestRunner.cs).
/// </summary>
internal static class WebGLTransportTests
{
    private sealed class Runtime : INetRuntime
    {
        public readonly List<int> Opcodes = new List<int>();
        public readonly List<byte[]> Payloads = new List<byte[]>();
        public bool Record = true;
        public Action OnDispatch;

        public bool TryDispatchInbound(int sessionId, int opcode, ReadOnlySpan<byte> payload)
        {
            if (Record)
            {
                Opcodes.Add(opcode);
                Payloads.Add(payload.ToArray());
            }
            if (OnDispatch != null) OnDispatch();
            return true;
        }
    }

    public static void Register(List<TestCase> tests)
    {
        tests.Add(new TestCase("webgl", "WebGL.Connect passes URL, protocols, reconnect, buffering and auth to the bridge", () => { N.Reset(); ConnectConfigures(); }));
        tests.Add(new TestCase("webgl", "WebGL.Open and binary frames dispatch through NetworkClient", () => { N.Reset(); OpenAndFrames(); }));
        tests.Add(new TestCase("webgl", "WebGL.the connection manager subscribes on open, dispatches topics and publishes", () => { N.Reset(); ConnectionManager(); }));
        tests.Add(new TestCase("webgl", "WebGL.a message larger than the receive buffer grows it (-11) and arrives whole", () => { N.Reset(); LargeMessage(); }));
        tests.Add(new TestCase("webgl", "WebGL.SendFrame(opcode, payload) sends one [opcode LE][payload] binary message", () => { N.Reset(); SendFrameBuildsFrame(); }));
        tests.Add(new TestCase("webgl", "WebGL.SendText sends UTF-8 text, Send binary, and OnMessage sees text", () => { N.Reset(); TextMessages(); }));
        tests.Add(new TestCase("webgl", "WebGL.Closed, Error, Reconnecting, Reconnected, Authenticated raise the same events as native", () => { N.Reset(); LifecycleEvents(); }));
        tests.Add(new TestCase("webgl", "WebGL.browser-impossible options throw NotSupportedException", () => { N.Reset(); Unsupported(); }));
        tests.Add(new TestCase("webgl", "WebGL.Connect before the module is loaded fails with an explanation", () => { N.Reset(); NotLoaded(); }));
        tests.Add(new TestCase("webgl", "WebGL.a full send queue (-5) throws WebSocketQueueFullException", () => { N.Reset(); QueueFull(); }));
        tests.Add(new TestCase("webgl", "WebGL.a close code browsers refuse surfaces as ArgumentException", () => { N.Reset(); RefusedCloseCode(); }));
        tests.Add(new TestCase("webgl", "WebGL.Dispose from inside a message handler is safe", () => { N.Reset(); DisposeInHandler(); }));
        tests.Add(new TestCase("webgl", "WebGL.no managed allocation per received message", () => { N.Reset(); NoAllocationPerMessage(); }));
    }

    private static void Check(bool cond, string what)
    {
        if (!cond) throw new Exception(what);
    }

    private static N.Ev Ev(int kind, byte[] data, int code = 0, int aux = 0)
    {
        return new N.Ev { Kind = kind, Data = data ?? new byte[0], Code = code, Aux = aux };
    }

    private static byte[] Frame(int opcode, int payloadLength)
    {
        var f = new byte[4 + payloadLength];
        BitConverter.GetBytes(opcode).CopyTo(f, 0);
        for (int i = 0; i < payloadLength; i++) f[4 + i] = (byte)(i * 31 + 7);
        return f;
    }

    private static WebSocketClient Client(Runtime rt, WebSocketOptions options = null)
    {
        return new WebSocketClient(new NetworkClient(rt), options ?? new WebSocketOptions(), 5);
    }

    private static void ConnectConfigures()
    {
        var o = new WebSocketOptions();
        o.Reconnect.Enabled = true;
        o.Reconnect.MaxAttempts = 7;
        o.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(250);
        o.Reconnect.ReconnectOnCloseCodes = new ushort[] { 1006, 1012 };
        o.Reconnect.BufferMaxMessages = 9;
        o.SendQueueMaxBytes = 5000000;
        o.Authentication = WebSocketAuthentication.QueryParameter("token", "abc");
        using (var c = Client(new Runtime(), o))
        {
            c.Connect("ws://127.0.0.1:1/x", new[] { "chat.v2", "chat.v1" });
            N.Conn n = N.Last;
            Check(n.Connected && n.Url == "ws://127.0.0.1:1/x", "url " + n.Url);
            Check(n.Protocols == "chat.v2,chat.v1", "protocols " + n.Protocols);
            Check(n.ReconnectEnabled == 1 && n.MaxAttempts == 7 && n.InitialMs == 250 && n.Jitter == 1, "reconnect");
            Check(n.ReconnectCodes == "1006,1012", "codes " + n.ReconnectCodes);
            Check(n.BufferEnabled == 1 && n.BufferMessages == 9, "buffer");
            Check(n.MaxBuffered == 5000000, "max buffered " + n.MaxBuffered);
            Check(n.Auth == "query:token=abc", "auth " + n.Auth);
            Check(c.State == WebSocketState.Connecting, "state " + c.State);
        }
        Check(N.Last.Destroyed, "Dispose did not destroy the connection");
    }

    private static void OpenAndFrames()
    {
        var rt = new Runtime();
        using (var c = Client(rt))
        {
            bool opened = false;
            c.OnOpen += () => opened = true;
            c.Connect("ws://h/", null);
            N.Last.Events.Enqueue(Ev(N.KindOpen, Encoding.UTF8.GetBytes("chat.v1")));
            N.Last.Events.Enqueue(Ev(N.KindMessage, Frame(42, 3), N.Binary));
            N.Last.Events.Enqueue(Ev(N.KindMessage, Frame(-1, 0), N.Binary));
            N.Last.Events.Enqueue(Ev(N.KindMessage, Encoding.UTF8.GetBytes("ignored"), N.Text));
            c.Update();
            Check(opened && c.Protocol == "chat.v1" && c.IsOpen, "open, protocol '" + c.Protocol + "'");
            Check(rt.Opcodes.Count == 2 && rt.Opcodes[0] == 42 && rt.Opcodes[1] == -1, "opcodes");
            Check(rt.Payloads[0].Length == 3 && rt.Payloads[0][2] == (byte)(2 * 31 + 7) && rt.Payloads[1].Length == 0, "payloads");
            Check(c.IgnoredTextMessages == 1, "text message not counted as ignored");
        }
    }

    private static void LargeMessage()
    {
        var rt = new Runtime();
        using (var c = Client(rt))
        {
            c.Connect("ws://h/", null);
            byte[] big = Frame(3, 1024 * 1024);
            N.Last.Events.Enqueue(Ev(N.KindMessage, big, N.Binary));
            N.Last.Events.Enqueue(Ev(N.KindMessage, Frame(4, 10), N.Binary));
            c.Update();
            Check(rt.Opcodes.Count == 2 && rt.Opcodes[0] == 3 && rt.Opcodes[1] == 4, "opcodes " + rt.Opcodes.Count);
            Check(rt.Payloads[0].Length == 1024 * 1024 && rt.Payloads[0][1000] == big[1004], "payload");
        }
    }

    private static void SendFrameBuildsFrame()
    {
        using (var c = Client(new Runtime()))
        {
            c.Connect("ws://h/", null);
            c.SendFrame(0x01020304, new byte[] { 9, 8, 7 });
            c.SendFrame(new byte[] { 5, 0, 0, 0, 1 });
            N.Conn n = N.Last;
            Check(n.Sent.Count == 2 && !n.SentText[0] && !n.SentText[1], "sent " + n.Sent.Count);
            Check(BitConverter.ToString(n.Sent[0]) == "04-03-02-01-09-08-07", BitConverter.ToString(n.Sent[0]));
            Check(BitConverter.ToString(n.Sent[1]) == "05-00-00-00-01", BitConverter.ToString(n.Sent[1]));
            WebSocketStatistics s = c.Statistics;
            Check(s.MessagesSent == 200 && s.ReceiveQueueDepth == 207, "statistics order");
        }
    }

    private static void TextMessages()
    {
        using (var c = new WebSocketClient(new WebSocketOptions()))
        {
            string got = null;
            c.OnMessage += (data, kind) => got = kind + ":" + Encoding.UTF8.GetString(data.ToArray());
            c.Connect("ws://h/", null);
            c.SendText("hé");
            c.Send(new byte[] { 1 });
            N.Conn n = N.Last;
            Check(n.Sent.Count == 2 && n.SentText[0] && !n.SentText[1], "sent " + n.Sent.Count);
            Check(BitConverter.ToString(n.Sent[0]) == "68-C3-A9", BitConverter.ToString(n.Sent[0]));
            n.Events.Enqueue(Ev(N.KindMessage, Encoding.UTF8.GetBytes("ok ✓"), N.Text));
            c.Update();
            Check(got == "Text:ok ✓", "OnMessage got " + got);
        }
    }

    // The connection manager's Update()-style path over the browser transport (C# cannot run in
    // Chromium here: this drives it over the scripted bridge, as the other WebGL C# tests do).
    private static void ConnectionManager()
    {
        using (var c = new WebSocketClient(new WebSocketOptions()))
        {
            var hub = new Devian.Network.Messaging.WebSocketConnectionManager(c);
            string heard = null;
            hub.Subscribe("news", (t, d) => heard = t + ":" + Encoding.UTF8.GetString(d.ToArray()));
            c.Connect("ws://h/", null);
            N.Conn n = N.Last;
            n.Events.Enqueue(Ev(N.KindOpen, null));
            c.Update();
            Check(n.Sent.Count == 1 && BitConverter.ToString(n.Sent[0]) == "37-FF-FF-FF-6E-65-77-73", "subscribe envelope on open: " + (n.Sent.Count > 0 ? BitConverter.ToString(n.Sent[0]) : "none"));
            var message = new byte[] { 0x34, 0xff, 0xff, 0xff, 4, 0, (byte)'n', (byte)'e', (byte)'w', (byte)'s', (byte)'h', (byte)'i' };
            n.Events.Enqueue(Ev(N.KindMessage, message, N.Binary));
            c.Update();
            Check(heard == "news:hi", "topic handler: " + heard);
            hub.Publish("news", Encoding.UTF8.GetBytes("yo"));
            Check(n.Sent.Count == 2 && BitConverter.ToString(n.Sent[1]) == "35-FF-FF-FF-04-00-6E-65-77-73-79-6F", "publish envelope: " + BitConverter.ToString(n.Sent[1]));
        }
    }

    private static void LifecycleEvents()
    {
        using (var c = Client(new Runtime()))
        {
            var log = new List<string>();
            c.OnError += e => log.Add("error:" + e.Message);
            c.OnReconnecting += (a, d) => log.Add("reconnecting:" + a + ":" + (int)d.TotalMilliseconds);
            c.OnReconnected += () => log.Add("reconnected");
            c.OnAuthenticated += () => log.Add("authenticated");
            c.OnClose += (code, reason) => log.Add("close:" + code + ":" + reason);
            c.Connect("ws://h/", null);
            N.Conn n = N.Last;
            n.Events.Enqueue(Ev(N.KindError, Encoding.UTF8.GetBytes("boom")));
            n.Events.Enqueue(Ev(N.KindReconnecting, null, 2, 300));
            n.Events.Enqueue(Ev(N.KindOpen, null));
            n.Events.Enqueue(Ev(N.KindAuthenticated, null));
            n.Events.Enqueue(Ev(N.KindReconnected, null));
            n.Events.Enqueue(Ev(N.KindClosing, null)); // as the native transport: no event of its own
            n.Events.Enqueue(Ev(N.KindClosed, Encoding.UTF8.GetBytes("bye"), 4001, 1));
            c.Update();
            string got = string.Join(",", log);
            Check(got == "error:boom,reconnecting:2:300,authenticated,reconnected,close:4001:bye", got);
        }
    }

    private static void ExpectNotSupported(WebSocketOptions o, string what)
    {
        using (var c = Client(new Runtime(), o))
        {
            try
            {
                c.Connect("ws://h/", null);
            }
            catch (NotSupportedException e)
            {
                Check(e.Message.Contains("WebGL"), what + ": message '" + e.Message + "'");
                return;
            }
            throw new Exception(what + " was accepted");
        }
    }

    private static void Unsupported()
    {
        ExpectNotSupported(new WebSocketOptions().AddHeader("X-Key", "v"), "header");
        ExpectNotSupported(new WebSocketOptions { Authentication = WebSocketAuthentication.Header("Authorization", "Bearer t") }, "header auth");
        var tls = new WebSocketOptions();
        tls.Tls.DangerousAcceptAnyCertificate = true;
        ExpectNotSupported(tls, "tls");
        ExpectNotSupported(new WebSocketOptions { PingInterval = TimeSpan.FromSeconds(5) }, "ping");
        ExpectNotSupported(new WebSocketOptions { Origin = "https://x" }, "origin");
        ExpectNotSupported(new WebSocketOptions { MaxMessageSize = 1 << 20 }, "max message size");
        ExpectNotSupported(new WebSocketOptions { MaxFrameSize = 1 << 20 }, "max frame size");
        ExpectNotSupported(new WebSocketOptions { ReceiveQueueMaxMessages = 16 }, "receive queue messages");
        ExpectNotSupported(new WebSocketOptions { ReceiveQueueMaxBytes = 1 << 20 }, "receive queue bytes");
        ExpectNotSupported(new WebSocketOptions { Delivery = WebSocketDelivery.AtLeastOnce }, "at-least-once delivery");
        ExpectNotSupported(new WebSocketOptions { Proxy = "http://127.0.0.1:3128" }, "proxy");
        ExpectNotSupported(new WebSocketOptions { ProxyFromEnvironment = true }, "proxy from the environment");
        var stable = new WebSocketOptions();
        stable.Reconnect.StableAfter = TimeSpan.FromSeconds(1);
        ExpectNotSupported(stable, "reconnect stable-after");
        Check(N.Conns.Count == 0, "a refused Connect created a connection");
        // The defaults (including the default ping interval) must work unchanged.
        using (var c = Client(new Runtime())) c.Connect("ws://h/", null);
        using (var c = Client(new Runtime(), new WebSocketOptions { PingInterval = TimeSpan.Zero })) c.Connect("ws://h/", null);
    }

    private static void NotLoaded()
    {
        N.Ready = false;
        using (var c = Client(new Runtime()))
        {
            try
            {
                c.Connect("ws://h/", null);
            }
            catch (Exception e)
            {
                Check(e.Message.Contains("not loaded") && e.Message.Contains("DevianWsReady"), e.Message);
                return;
            }
            throw new Exception("Connect succeeded without the module");
        }
    }

    private static void QueueFull()
    {
        using (var c = Client(new Runtime()))
        {
            c.Connect("ws://h/", null);
            N.Last.SendResult = -5;
            try
            {
                c.SendFrame(1, new byte[1]);
            }
            catch (WebSocketQueueFullException)
            {
                return;
            }
            throw new Exception("no WebSocketQueueFullException");
        }
    }

    private static void RefusedCloseCode()
    {
        using (var c = Client(new Runtime()))
        {
            c.Connect("ws://h/", null);
            N.Last.Events.Enqueue(Ev(N.KindOpen, null));
            c.Update();
            try
            {
                c.Close(1001, "going away");
            }
            catch (ArgumentException e)
            {
                Check(e.Message.Contains("1001"), e.Message);
                return;
            }
            throw new Exception("1001 was accepted");
        }
    }

    private static void DisposeInHandler()
    {
        var rt = new Runtime();
        var c = Client(rt);
        c.Connect("ws://h/", null);
        N.Conn n = N.Last;
        rt.OnDispatch = () => c.Dispose();
        n.Events.Enqueue(Ev(N.KindMessage, Frame(1, 100), N.Binary));
        n.Events.Enqueue(Ev(N.KindMessage, Frame(2, 100), N.Binary));
        c.Update();
        Check(rt.Opcodes.Count == 1 && n.Destroyed, "dispatched " + rt.Opcodes.Count + ", destroyed " + n.Destroyed);
        c.Dispose();
    }

    private static void NoAllocationPerMessage()
    {
        var rt = new Runtime { Record = false };
        using (var c = Client(rt))
        {
            c.Connect("ws://h/", null);
            N.Conn n = N.Last;
            var events = new N.Ev[2000];
            for (int i = 0; i < events.Length; i++) events[i] = Ev(N.KindMessage, Frame(i, 256), N.Binary);
            // Warm up: first Update sizes the buffers and JITs the path.
            n.Events.Enqueue(events[0]);
            c.Update();
            var q = n.Events;
            for (int i = 1; i < 1001; i++) q.Enqueue(events[i]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            c.Update();
            long perMessage = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
            Check(q.Count == 0, "not drained");
            Check(perMessage == 0, perMessage + " bytes allocated per message");
        }
    }
}
