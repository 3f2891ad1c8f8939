using System;
using System.Buffers;
using System.Collections.Concurrent;

namespace Devian.Network.Unity
{
    /// <summary>
    /// Carries transport callbacks that arrive on a worker thread over to the main thread.
    /// <para>
    /// <c>WebSocketClient</c> raises its events from <c>Update()</c>, i.e. already on the main
    /// thread; this inbox is the safety net that keeps the "every event on the main thread"
    /// promise even if a transport calls back from its receive thread. Payloads are copied into
    /// pooled buffers, so the fallback does not allocate per message either.
    /// </para>
    /// </summary>
    internal sealed class MainThreadInbox
    {
        internal enum Kind { Open, Message, Close, Error, Reconnecting, Reconnected }

        internal struct Item
        {
            public Kind Kind;
            public int Opcode;
            public byte[] Buffer;   // rented from ArrayPool<byte>.Shared; returned after dispatch
            public int Length;
            public ushort Code;
            public string Reason;
            public Exception Error;
            public int Attempt;
            public TimeSpan Delay;
        }

        private readonly ConcurrentQueue<Item> _queue = new ConcurrentQueue<Item>();

        /// <summary>True when nothing is waiting.</summary>
        public bool IsEmpty { get { return _queue.IsEmpty; } }

        public void Post(Item item) { _queue.Enqueue(item); }

        /// <summary>Queues a message; the payload is copied into a pooled buffer.</summary>
        public void PostMessage(int opcode, ReadOnlySpan<byte> payload)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, payload.Length));
            payload.CopyTo(buffer);
            _queue.Enqueue(new Item { Kind = Kind.Message, Opcode = opcode, Buffer = buffer, Length = payload.Length });
        }

        /// <summary>
        /// Hands every item queued so far to <paramref name="dispatch"/>, on the calling thread.
        /// Items posted while draining wait for the next call, so a callback that posts again
        /// cannot keep the main thread in this loop.
        /// </summary>
        public void Drain(Action<Item> dispatch)
        {
            int budget = _queue.Count;
            Item item;
            while (budget-- > 0 && _queue.TryDequeue(out item))
            {
                try
                {
                    dispatch(item);
                }
                finally
                {
                    if (item.Buffer != null)
                        ArrayPool<byte>.Shared.Return(item.Buffer);
                }
            }
        }

        /// <summary>Drops everything still queued and returns its buffers to the pool.</summary>
        public void Clear()
        {
            Item item;
            while (_queue.TryDequeue(out item))
            {
                if (item.Buffer != null)
                    ArrayPool<byte>.Shared.Return(item.Buffer);
            }
        }
    }
}
