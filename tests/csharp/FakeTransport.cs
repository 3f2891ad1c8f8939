using System;
using System.Runtime.InteropServices;
using System.Text;
using Devian.Network.Transports;

namespace Devian.Network.Tests
{
    /// <summary>
    /// A scripted in-memory <see cref="IWebSocketTransport"/>: the tests queue events whose bytes live
    /// in unmanaged memory (like the native engine's pooled buffers) and inspect what the client did.
    /// Poll/ReleaseEvent/Send do not allocate, so allocation tests can run over it.
    /// </summary>
    internal sealed unsafe class FakeTransport : IWebSocketTransport
    {
        private const int ArenaSize = 4 * 1024 * 1024;
        private readonly TransportEvent[] _queue = new TransportEvent[8192];
        private readonly byte* _arena;
        private int _arenaUsed;
        private int _head;
        private int _count;
        private bool _eventHeld;

        public FakeTransport()
        {
            _arena = (byte*)Marshal.AllocHGlobal(ArenaSize);
            State = WebSocketState.Connecting;
        }

        ~FakeTransport()
        {
            Marshal.FreeHGlobal((IntPtr)_arena);
        }

        public TransportStatus ConnectStatus = TransportStatus.Ok;
        public TransportStatus SendStatus = TransportStatus.Ok;
        public TransportStatus PollStatus = TransportStatus.Ok;
        public string ErrorText = "scripted failure";
        public Exception ConnectThrows;

        public string ConnectUrl;
        public string[] ConnectProtocols;
        public int SendCount;
        public long SentBytes;
        /// <summary>The last committed message: kind, and its bytes (the first LastSentLength of LastSent).</summary>
        public TransportMessageKind LastSentKind;
        public byte[] LastSent = new byte[256];
        public int LastSentLength;
        private int _reserved = -1;
        public int ReleaseCount;
        public int ReleaseWithoutEvent;
        public int PollWhileHeld;
        public int DisposeCount;
        public int CloseCount;
        public ushort CloseCode;
        public string CloseReason;

        public WebSocketState State { get; set; }

        public int Pending { get { return _count; } }

        public void EnqueueOpen(string protocol)
        {
            Enqueue(TransportEventKind.Open, TransportMessageKind.None, Encoding.UTF8.GetBytes(protocol), 0);
            State = WebSocketState.Open;
        }

        public void EnqueueMessage(TransportMessageKind kind, byte[] data)
        {
            Enqueue(TransportEventKind.Message, kind, data, 0);
        }

        public void EnqueueClosed(ushort code, string reason)
        {
            Enqueue(TransportEventKind.Closed, TransportMessageKind.None, Encoding.UTF8.GetBytes(reason), code);
        }

        public void EnqueueError(int kind, string text)
        {
            Enqueue(TransportEventKind.Error, TransportMessageKind.None, Encoding.UTF8.GetBytes(text), 0);
            _queue[(_head + _count - 1) % _queue.Length].ErrorKind = kind;
        }

        public void EnqueueReconnecting(int attempt, int delayMs)
        {
            Enqueue(TransportEventKind.Reconnecting, TransportMessageKind.None, new byte[0], 0);
            _queue[(_head + _count - 1) % _queue.Length].Attempt = attempt;
            _queue[(_head + _count - 1) % _queue.Length].DelayMs = delayMs;
        }

        public void Enqueue(TransportEventKind kind, TransportMessageKind messageKind, byte[] data, ushort code)
        {
            if (_count == _queue.Length || _arenaUsed + data.Length > ArenaSize)
            {
                throw new InvalidOperationException("fake transport queue full");
            }
            if (_count == 0)
            {
                _arenaUsed = 0;
            }
            byte* p = _arena + _arenaUsed;
            Marshal.Copy(data, 0, (IntPtr)p, data.Length);
            _arenaUsed += data.Length;
            var ev = new TransportEvent
            {
                Kind = kind,
                MessageKind = messageKind,
                Data = (IntPtr)p,
                Length = data.Length,
                Code = code,
                WasClean = true,
            };
            _queue[(_head + _count) % _queue.Length] = ev;
            _count++;
        }

        public TransportStatus Connect(string url, string[] subProtocols, WebSocketOptions options)
        {
            if (ConnectThrows != null)
            {
                throw ConnectThrows;
            }
            ConnectUrl = url;
            ConnectProtocols = subProtocols;
            return ConnectStatus;
        }

        public TransportStatus Send(TransportMessageKind kind, ReadOnlySpan<byte> data)
        {
            Span<byte> buffer;
            TransportStatus status = Reserve(data.Length, out buffer);
            if (status != TransportStatus.Ok)
            {
                return status;
            }
            data.CopyTo(buffer);
            return Commit(kind);
        }

        public TransportStatus Reserve(int length, out Span<byte> buffer)
        {
            buffer = default(Span<byte>);
            if (SendStatus != TransportStatus.Ok)
            {
                return SendStatus;
            }
            if (_reserved >= 0)
            {
                return TransportStatus.InvalidState;
            }
            if (LastSent.Length < length)
            {
                LastSent = new byte[length];
            }
            _reserved = length;
            buffer = new Span<byte>(LastSent, 0, length);
            buffer.Clear();
            return TransportStatus.Ok;
        }

        public TransportStatus Commit(TransportMessageKind kind)
        {
            if (_reserved < 0)
            {
                return TransportStatus.InvalidState;
            }
            SendCount++;
            SentBytes += _reserved;
            LastSentLength = _reserved;
            LastSentKind = kind;
            _reserved = -1;
            return TransportStatus.Ok;
        }

        public void Abort()
        {
            _reserved = -1;
        }

        public TransportStatus Wait(int timeoutMs)
        {
            return _count > 0 ? TransportStatus.Ok : TransportStatus.Empty;
        }

        public TransportStatus Poll(out TransportEvent ev)
        {
            if (_eventHeld)
            {
                PollWhileHeld++;
            }
            if (PollStatus != TransportStatus.Ok)
            {
                ev = default(TransportEvent);
                return PollStatus;
            }
            if (_count == 0)
            {
                ev = default(TransportEvent);
                return TransportStatus.Empty;
            }
            ev = _queue[_head];
            _head = (_head + 1) % _queue.Length;
            _count--;
            _eventHeld = true;
            return TransportStatus.Ok;
        }

        public void ReleaseEvent()
        {
            if (!_eventHeld)
            {
                ReleaseWithoutEvent++;
                return;
            }
            _eventHeld = false;
            ReleaseCount++;
        }

        public TransportStatus Close(ushort code, string reason)
        {
            CloseCount++;
            CloseCode = code;
            CloseReason = reason;
            State = WebSocketState.Closing;
            return TransportStatus.Ok;
        }

        public TransportStatus GetStatistics(out WebSocketStatistics statistics)
        {
            statistics = new WebSocketStatistics(SendCount, 0, SentBytes, 0, 0, 0, 0, _count);
            return TransportStatus.Ok;
        }

        public string LastError()
        {
            return ErrorText;
        }

        public void Dispose()
        {
            DisposeCount++;
            State = WebSocketState.Closed;
        }
    }
}
