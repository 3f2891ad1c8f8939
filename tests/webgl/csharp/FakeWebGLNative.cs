#if UNITY_WEBGL && !UNITY_EDITOR
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace Devian.Network.Transports
{
    /// <summary>
    /// Test stand-in for the jslib functions (compiled instead of WebGLNative.cs), following the
    /// bridge's contract (webgl/js/devian-ws.jslib, webgl/src/api.rs): same names, statuses and
    /// buffer rules (-11 consumes nothing and reports the size needed in info[0]). Lets
    /// WebGLTransport and WebSocketClient run under Mono with UNITY_WEBGL defined. The real bridge
    /// is exercised in headless Chromium by tests/webgl/run.js.
    /// </summary>
    internal static class WebGLNative
    {
        public const int NotSupported = -10;
        public const int BufferTooSmall = -11;
        // Event kinds and message kinds as the module numbers them: those of the native library.
        public const int KindOpen = (int)TransportEventKind.Open, KindMessage = (int)TransportEventKind.Message,
            KindClosing = (int)TransportEventKind.Closing, KindClosed = (int)TransportEventKind.Closed,
            KindError = (int)TransportEventKind.Error, KindReconnecting = (int)TransportEventKind.Reconnecting,
            KindReconnected = (int)TransportEventKind.Reconnected, KindAuthenticated = (int)TransportEventKind.Authenticated;
        public const int Text = (int)TransportMessageKind.Text, Binary = (int)TransportMessageKind.Binary;

        /// <summary>One scripted event.</summary>
        public sealed class Ev
        {
            public int Kind;
            public byte[] Data = new byte[0];
            public int Code;
            public int Aux;
        }

        /// <summary>What C# configured and sent on one connection, and the events it will poll.</summary>
        public sealed class Conn
        {
            public string Url;
            public string Protocols = "";
            public string ReconnectCodes;
            public string Auth = "none";
            public int ReconnectEnabled, MaxAttempts, Jitter, BufferEnabled, BufferMessages, BufferBytes, MaxBuffered;
            public double InitialMs, Multiplier, MaxMs;
            public bool Connected, Destroyed;
            public int CloseCode = -1;
            public string CloseReason;
            public int State;
            public int SendResult;
            public readonly Queue<Ev> Events = new Queue<Ev>();
            public readonly List<byte[]> Sent = new List<byte[]>();
            public readonly List<bool> SentText = new List<bool>();
            public int NextCalls;
        }

        public static bool Ready = true;
        public static readonly Dictionary<int, Conn> Conns = new Dictionary<int, Conn>();
        public static string Error = "";
        private static int _next;

        public static Conn Last { get { return Conns[_next]; } }

        public static void Reset()
        {
            Ready = true;
            Conns.Clear();
            Error = "";
        }

        private static int Fail(int code, string message)
        {
            Error = message;
            return code;
        }

        private static Conn Get(int id)
        {
            Conn c;
            return Conns.TryGetValue(id, out c) && !c.Destroyed ? c : null;
        }

        public static int DevianWs_IsReady() { return Ready ? 1 : 0; }

        public static int DevianWs_Create(string url)
        {
            if (url == null || !(url.StartsWith("ws://") || url.StartsWith("wss://")))
            {
                return Fail(-3, "'" + url + "' is not a WebSocket URL");
            }
            _next++;
            Conns[_next] = new Conn { Url = url };
            return _next;
        }

        public static int DevianWs_SetProtocols(int id, string csv) { Conn c = Get(id); if (c == null) return -1; c.Protocols = csv; return 0; }

        public static int DevianWs_SetReconnect(int id, int enabled, int maxAttempts, double initialMs, double multiplier, double maxMs, int jitter)
        {
            Conn c = Get(id); if (c == null) return -1;
            c.ReconnectEnabled = enabled; c.MaxAttempts = maxAttempts; c.InitialMs = initialMs; c.Multiplier = multiplier; c.MaxMs = maxMs; c.Jitter = jitter;
            return 0;
        }

        public static int DevianWs_SetReconnectCodes(int id, string csv) { Conn c = Get(id); if (c == null) return -1; c.ReconnectCodes = csv; return 0; }

        public static int DevianWs_SetSendQueue(int id, int enabled, int maxMessages, int maxBytes)
        {
            Conn c = Get(id); if (c == null) return -1;
            c.BufferEnabled = enabled; c.BufferMessages = maxMessages; c.BufferBytes = maxBytes;
            return 0;
        }

        public static int DevianWs_SetMaxBuffered(int id, int maxBytes) { Conn c = Get(id); if (c == null) return -1; c.MaxBuffered = maxBytes; return 0; }
        public static int DevianWs_SetAuthQuery(int id, string name, string token) { Conn c = Get(id); if (c == null) return -1; c.Auth = "query:" + name + "=" + token; return 0; }
        public static int DevianWs_SetAuthFirstMessage(int id, string template, string token, string type) { Conn c = Get(id); if (c == null) return -1; c.Auth = "first:" + template + "|" + token + "|" + type; return 0; }
        public static int DevianWs_SetAuthSubprotocol(int id, string token) { Conn c = Get(id); if (c == null) return -1; c.Auth = "protocol:" + token; return 0; }
        public static int DevianWs_AddHeader(int id, string name, string value) { return Fail(NotSupported, "custom header '" + name + "' cannot be sent"); }

        public static int DevianWs_Connect(int id)
        {
            Conn c = Get(id); if (c == null) return -1;
            if (c.Connected) return Fail(-4, "already connecting or connected");
            c.Connected = true;
            c.State = 1;
            return 0;
        }

        public static int DevianWs_Send(int id, IntPtr data, int length, int isText)
        {
            Conn c = Get(id); if (c == null) return -1;
            if (c.SendResult < 0) return Fail(c.SendResult, "scripted send failure");
            var copy = new byte[length];
            if (length > 0) Marshal.Copy(data, copy, 0, length);
            c.Sent.Add(copy);
            c.SentText.Add(isText != 0);
            return c.SendResult;
        }

        public static int DevianWs_Close(int id, int code, string reason)
        {
            Conn c = Get(id); if (c == null) return -1;
            if (code != 1000 && (code < 3000 || code > 4999)) return Fail(-3, "close code " + code + " cannot be sent from a browser");
            c.CloseCode = code; c.CloseReason = reason; c.State = 4;
            return 0;
        }

        public static int DevianWs_State(int id) { Conn c = Get(id); return c == null ? -1 : c.State; }

        public static int DevianWs_Next(int id, IntPtr buffer, int capacity, IntPtr info)
        {
            Conn c = Get(id); if (c == null) return -1;
            c.NextCalls++;
            if (c.Events.Count == 0) return 0;
            Ev ev = c.Events.Peek();
            if (ev.Data.Length > capacity)
            {
                Marshal.WriteInt32(info, 0, ev.Data.Length);
                return Fail(BufferTooSmall, "next event needs " + ev.Data.Length + " bytes");
            }
            c.Events.Dequeue();
            if (ev.Data.Length > 0) Marshal.Copy(ev.Data, 0, buffer, ev.Data.Length);
            Marshal.WriteInt32(info, 0, ev.Data.Length);
            Marshal.WriteInt32(info, 4, ev.Code);
            Marshal.WriteInt32(info, 8, ev.Aux);
            if (ev.Kind == KindOpen) c.State = 3;
            if (ev.Kind == KindClosed) c.State = 0;
            return ev.Kind;
        }

        public static int DevianWs_Stats(int id, IntPtr stats)
        {
            Conn c = Get(id); if (c == null) return -1;
            for (int i = 0; i < 8; i++) Marshal.WriteInt64(stats, i * 8, c.Sent.Count * 100 + i);
            return 0;
        }

        public static int DevianWs_Destroy(int id) { Conn c = Get(id); if (c == null) return -1; c.Destroyed = true; return 0; }

        public static int DevianWs_LastError(IntPtr buffer, int capacity)
        {
            byte[] b = Encoding.UTF8.GetBytes(Error);
            Marshal.Copy(b, 0, buffer, Math.Min(b.Length, capacity));
            return b.Length;
        }
    }
}
#endif
