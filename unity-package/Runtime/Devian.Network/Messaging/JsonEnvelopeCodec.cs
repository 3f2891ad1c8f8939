using System;
using Devian.Network.Transports;

namespace Devian.Network.Messaging
{
    /// <summary>
    /// Seed 002's JSON envelope, as text messages: <c>{"type":"subscribe","channel":"chat"}</c>,
    /// <c>{"type":"publish","channel":"chat","data":…}</c>, <c>{"type":"message","channel":"chat","data":…}</c>,
    /// <c>{"type":"request","id":"17","data":…}</c> and <c>{"type":"response","id":"17","data":…}</c>. The data
    /// is the application's own JSON text, spliced in as it is (empty data is <c>null</c>); on receipt the
    /// data span is the raw JSON value. Encoding allocates nothing; decoding allocates only to unescape a
    /// channel name that holds escapes.
    /// </summary>
    public sealed class JsonEnvelopeCodec : IEnvelopeCodec
    {
        private static readonly byte[][] TypeNames =
        {
            null,
            Ascii("subscribe"), Ascii("unsubscribe"), Ascii("publish"), Ascii("message"), Ascii("request"), Ascii("response"),
        };

        private byte[] _unescaped = new byte[64];

        /// <inheritdoc/>
        public WebSocketMessageKind MessageKind { get { return WebSocketMessageKind.Text; } }

        private static byte[] Ascii(string s)
        {
            var b = new byte[s.Length];
            for (int i = 0; i < s.Length; i++) b[i] = (byte)s[i];
            return b;
        }

        private static bool HasChannel(EnvelopeKind kind)
        {
            return kind <= EnvelopeKind.Message;
        }

        private static bool HasData(EnvelopeKind kind)
        {
            return kind != EnvelopeKind.Subscribe && kind != EnvelopeKind.Unsubscribe;
        }

        /// <inheritdoc/>
        public int EncodedLength(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data)
        {
            return Write(kind, topic, id, data, default(Span<byte>), false);
        }

        /// <inheritdoc/>
        public void Encode(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data, Span<byte> destination)
        {
            Write(kind, topic, id, data, destination, true);
        }

        // One routine measures and writes, so the two can never disagree.
        private static int Write(EnvelopeKind kind, ReadOnlySpan<byte> topic, uint id, ReadOnlySpan<byte> data, Span<byte> d, bool write)
        {
            int n = 0;
            n = Put(d, n, write, "{\"type\":\"");
            n = Put(d, n, write, TypeNames[(int)kind]);
            if (HasChannel(kind))
            {
                n = Put(d, n, write, "\",\"channel\":\"");
                for (int i = 0; i < topic.Length; i++)
                {
                    byte b = topic[i];
                    if (b == (byte)'"' || b == (byte)'\\')
                    {
                        if (write) { d[n] = (byte)'\\'; d[n + 1] = b; }
                        n += 2;
                    }
                    else if (b < 0x20)
                    {
                        if (write)
                        {
                            d[n] = (byte)'\\'; d[n + 1] = (byte)'u'; d[n + 2] = (byte)'0'; d[n + 3] = (byte)'0';
                            d[n + 4] = Hex(b >> 4); d[n + 5] = Hex(b & 15);
                        }
                        n += 6;
                    }
                    else
                    {
                        if (write) d[n] = b;
                        n++;
                    }
                }
                n = Put(d, n, write, "\"");
            }
            else
            {
                n = Put(d, n, write, "\",\"id\":\"");
                n = PutDecimal(d, n, write, id);
                n = Put(d, n, write, "\"");
            }
            if (HasData(kind))
            {
                n = Put(d, n, write, ",\"data\":");
                if (data.IsEmpty)
                {
                    n = Put(d, n, write, "null");
                }
                else
                {
                    if (write) data.CopyTo(d.Slice(n));
                    n += data.Length;
                }
            }
            return Put(d, n, write, "}");
        }

        private static byte Hex(int v)
        {
            return (byte)(v < 10 ? '0' + v : 'a' + v - 10);
        }

        private static int Put(Span<byte> d, int n, bool write, string ascii)
        {
            if (write) for (int i = 0; i < ascii.Length; i++) d[n + i] = (byte)ascii[i];
            return n + ascii.Length;
        }

        private static int Put(Span<byte> d, int n, bool write, byte[] ascii)
        {
            if (write) ascii.CopyTo(d.Slice(n));
            return n + ascii.Length;
        }

        private static int PutDecimal(Span<byte> d, int n, bool write, uint v)
        {
            int digits = 1;
            for (uint x = v; x >= 10; x /= 10) digits++;
            if (write)
            {
                for (int i = digits - 1; i >= 0; i--, v /= 10) d[n + i] = (byte)('0' + v % 10);
            }
            return n + digits;
        }

        /// <inheritdoc/>
        public bool TryDecode(ReadOnlySpan<byte> message, WebSocketMessageKind kind, out EnvelopeKind envelope,
            out ReadOnlySpan<byte> topic, out uint id, out ReadOnlySpan<byte> data)
        {
            envelope = 0;
            topic = default(ReadOnlySpan<byte>);
            id = 0;
            data = default(ReadOnlySpan<byte>);
            if (kind != WebSocketMessageKind.Text)
            {
                return false;
            }
            int i = SkipWs(message, 0);
            if (i >= message.Length || message[i] != (byte)'{')
            {
                return false;
            }
            i++;
            bool hasType = false;
            while (true)
            {
                i = SkipWs(message, i);
                if (i < message.Length && message[i] == (byte)'}') break;
                int keyStart = i + 1;
                bool escaped;
                int keyEnd = ScanString(message, i, out escaped);
                if (keyEnd < 0) return false;
                ReadOnlySpan<byte> key = message.Slice(keyStart, keyEnd - keyStart);
                i = SkipWs(message, keyEnd + 1);
                if (i >= message.Length || message[i] != (byte)':') return false;
                i = SkipWs(message, i + 1);
                int valueStart = i;
                int valueEnd = SkipValue(message, i);
                if (valueEnd < 0) return false;
                ReadOnlySpan<byte> value = message.Slice(valueStart, valueEnd - valueStart);
                if (Is(key, "type"))
                {
                    for (int k = 1; k < TypeNames.Length; k++)
                    {
                        if (value.Length == TypeNames[k].Length + 2 && value.Slice(1, value.Length - 2).SequenceEqual(TypeNames[k]))
                        {
                            envelope = (EnvelopeKind)k;
                            hasType = true;
                        }
                    }
                }
                else if (Is(key, "channel") && value.Length >= 2 && value[0] == (byte)'"')
                {
                    topic = Unescape(value.Slice(1, value.Length - 2));
                }
                else if (Is(key, "id"))
                {
                    ReadOnlySpan<byte> digits = value.Length >= 2 && value[0] == (byte)'"' ? value.Slice(1, value.Length - 2) : value;
                    if (!TryParseUInt(digits, out id)) return false;
                }
                else if (Is(key, "data"))
                {
                    data = value;
                }
                i = SkipWs(message, valueEnd);
                if (i < message.Length && message[i] == (byte)',') { i++; continue; }
                if (i < message.Length && message[i] == (byte)'}') break;
                return false;
            }
            return hasType;
        }

        private static bool Is(ReadOnlySpan<byte> key, string name)
        {
            if (key.Length != name.Length) return false;
            for (int i = 0; i < name.Length; i++) if (key[i] != (byte)name[i]) return false;
            return true;
        }

        private static bool TryParseUInt(ReadOnlySpan<byte> digits, out uint value)
        {
            value = 0;
            if (digits.IsEmpty || digits.Length > 10) return false;
            ulong v = 0;
            foreach (byte b in digits)
            {
                if (b < (byte)'0' || b > (byte)'9') return false;
                v = v * 10 + (ulong)(b - '0');
            }
            if (v > uint.MaxValue) return false;
            value = (uint)v;
            return true;
        }

        private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw)
        {
            if (raw.IndexOf((byte)'\\') < 0) return raw;
            if (_unescaped.Length < raw.Length) _unescaped = new byte[raw.Length];
            int n = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                byte b = raw[i];
                if (b != (byte)'\\' || i + 1 >= raw.Length) { _unescaped[n++] = b; continue; }
                byte e = raw[++i];
                switch (e)
                {
                    case (byte)'n': _unescaped[n++] = (byte)'\n'; break;
                    case (byte)'t': _unescaped[n++] = (byte)'\t'; break;
                    case (byte)'r': _unescaped[n++] = (byte)'\r'; break;
                    case (byte)'b': _unescaped[n++] = 8; break;
                    case (byte)'f': _unescaped[n++] = 12; break;
                    case (byte)'u':
                        int cp = 0;
                        for (int k = 1; k <= 4 && i + k < raw.Length; k++) cp = cp * 16 + HexValue(raw[i + k]);
                        i += 4;
                        // Channel names are ASCII in practice; others are kept as UTF-8 of the BMP code point.
                        if (cp < 0x80) _unescaped[n++] = (byte)cp;
                        else if (cp < 0x800) { _unescaped[n++] = (byte)(0xc0 | cp >> 6); _unescaped[n++] = (byte)(0x80 | cp & 0x3f); }
                        else { _unescaped[n++] = (byte)(0xe0 | cp >> 12); _unescaped[n++] = (byte)(0x80 | cp >> 6 & 0x3f); _unescaped[n++] = (byte)(0x80 | cp & 0x3f); }
                        break;
                    default: _unescaped[n++] = e; break;
                }
            }
            return new ReadOnlySpan<byte>(_unescaped, 0, n);
        }

        private static int HexValue(byte b)
        {
            if (b >= (byte)'0' && b <= (byte)'9') return b - '0';
            if (b >= (byte)'a' && b <= (byte)'f') return b - 'a' + 10;
            if (b >= (byte)'A' && b <= (byte)'F') return b - 'A' + 10;
            return 0;
        }

        private static int SkipWs(ReadOnlySpan<byte> s, int i)
        {
            while (i < s.Length && (s[i] == (byte)' ' || s[i] == (byte)'\t' || s[i] == (byte)'\n' || s[i] == (byte)'\r')) i++;
            return i;
        }

        // The index of the closing quote of the string starting at `i`, or -1.
        private static int ScanString(ReadOnlySpan<byte> s, int i, out bool escaped)
        {
            escaped = false;
            if (i >= s.Length || s[i] != (byte)'"') return -1;
            for (i++; i < s.Length; i++)
            {
                if (s[i] == (byte)'\\') { escaped = true; i++; }
                else if (s[i] == (byte)'"') return i;
            }
            return -1;
        }

        // The index just past the JSON value starting at `i`, or -1.
        private static int SkipValue(ReadOnlySpan<byte> s, int i)
        {
            if (i >= s.Length) return -1;
            bool escaped;
            if (s[i] == (byte)'"')
            {
                int end = ScanString(s, i, out escaped);
                return end < 0 ? -1 : end + 1;
            }
            if (s[i] == (byte)'{' || s[i] == (byte)'[')
            {
                int depth = 0;
                for (; i < s.Length; i++)
                {
                    byte b = s[i];
                    if (b == (byte)'"')
                    {
                        i = ScanString(s, i, out escaped);
                        if (i < 0) return -1;
                    }
                    else if (b == (byte)'{' || b == (byte)'[') depth++;
                    else if (b == (byte)'}' || b == (byte)']')
                    {
                        if (--depth == 0) return i + 1;
                    }
                }
                return -1;
            }
            while (i < s.Length && s[i] != (byte)',' && s[i] != (byte)'}' && s[i] != (byte)']' && s[i] != (byte)' ' && s[i] != (byte)'\n' && s[i] != (byte)'\r' && s[i] != (byte)'\t') i++;
            return i;
        }
    }
}
