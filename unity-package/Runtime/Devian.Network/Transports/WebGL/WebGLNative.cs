#if UNITY_WEBGL && !UNITY_EDITOR
using System;
using System.Runtime.InteropServices;

namespace Devian.Network.Transports
{
    /// <summary>
    /// The functions of <c>devian-ws.jslib</c> (webgl/js), linked into the Unity WebGL player as
    /// <c>"__Internal"</c>. Pointers are offsets into the player's heap (HEAPU8); strings are
    /// marshalled as NUL-terminated UTF-8 and are only used for configuration and close, never per
    /// message. Every function returns an int status: negative values are <see cref="TransportStatus"/>
    /// codes, plus <see cref="NotSupported"/> and <see cref="BufferTooSmall"/>.
    /// No callbacks: events are polled with <see cref="DevianWs_Next"/> from Update(), so nothing
    /// depends on Module.dynCall.
    /// </summary>
    internal static class WebGLNative
    {
        private const string Lib = "__Internal";

        /// <summary>The browser cannot do what was asked (custom headers, TLS roots, ping).</summary>
        public const int NotSupported = -10;

        /// <summary><see cref="DevianWs_Next"/>: the buffer is too small; info[0] holds the size needed.</summary>
        public const int BufferTooSmall = -11;

        [DllImport(Lib)] public static extern int DevianWs_IsReady();
        [DllImport(Lib)] public static extern int DevianWs_Create(string url);
        [DllImport(Lib)] public static extern int DevianWs_SetProtocols(int id, string protocolsCsv);
        [DllImport(Lib)] public static extern int DevianWs_SetReconnect(int id, int enabled, int maxAttempts, double initialDelayMs, double multiplier, double maxDelayMs, int jitter);
        [DllImport(Lib)] public static extern int DevianWs_SetReconnectCodes(int id, string codesCsv);
        [DllImport(Lib)] public static extern int DevianWs_SetSendQueue(int id, int enabled, int maxMessages, int maxBytes);
        [DllImport(Lib)] public static extern int DevianWs_SetMaxBuffered(int id, int maxBytes);
        [DllImport(Lib)] public static extern int DevianWs_SetAuthQuery(int id, string name, string token);
        [DllImport(Lib)] public static extern int DevianWs_SetAuthFirstMessage(int id, string template, string token, string messageType);
        [DllImport(Lib)] public static extern int DevianWs_SetAuthSubprotocol(int id, string token);
        [DllImport(Lib)] public static extern int DevianWs_AddHeader(int id, string name, string value);
        [DllImport(Lib)] public static extern int DevianWs_Connect(int id);

        /// <summary>0: handed to the browser (which copies it); 1: buffered until (re)open; &lt;0: status.</summary>
        [DllImport(Lib)] public static extern int DevianWs_Send(int id, IntPtr data, int length, int isText);

        [DllImport(Lib)] public static extern int DevianWs_Close(int id, int code, string reason);

        /// <summary>The state as <see cref="WebSocketState"/> numbers it.</summary>
        [DllImport(Lib)] public static extern int DevianWs_State(int id);

        /// <summary>
        /// Copies the next event's payload to <paramref name="buffer"/> (at most <paramref name="capacity"/>
        /// bytes) and returns its kind (a <see cref="TransportEventKind"/>, numbered as the native
        /// DwsEvent.kind), 0 when none. <paramref name="info"/> points to three ints: payload length,
        /// code (message kind / close code / reconnect attempt), aux (clean flag / delay ms).
        /// </summary>
        [DllImport(Lib)] public static extern int DevianWs_Next(int id, IntPtr buffer, int capacity, IntPtr info);

        /// <summary>Writes eight little-endian ulong counters (64 bytes) at <paramref name="stats"/>.</summary>
        [DllImport(Lib)] public static extern int DevianWs_Stats(int id, IntPtr stats);

        [DllImport(Lib)] public static extern int DevianWs_Destroy(int id);

        /// <summary>Copies the last error's UTF-8 (at most <paramref name="capacity"/> bytes) and returns its full length.</summary>
        [DllImport(Lib)] public static extern int DevianWs_LastError(IntPtr buffer, int capacity);
    }
}
#endif
