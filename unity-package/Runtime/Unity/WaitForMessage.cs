using System;
using UnityEngine;

namespace Devian.Network.Unity
{
    /// <summary>
    /// Coroutine wait for the next message on a <see cref="WebSocketBehaviour"/>:
    /// <code>
    /// var next = socket.WaitForMessage(5f);
    /// yield return next;
    /// if (next.Received) Handle(next.Opcode, next.Payload);
    /// </code>
    /// Only messages that arrive after construction, and that <see cref="WebSocketBehaviour.Runtime"/>
    /// does not consume, count. Finishes on that message, on close,
    /// when the component is destroyed, or after the timeout (unscaled real time).
    /// Keeps a copy of the payload, so it allocates once per wait: a convenience for coroutines,
    /// not for per-frame traffic (use <see cref="WebSocketBehaviour.FrameReceived"/> there).
    /// </summary>
    public sealed class WaitForMessage : CustomYieldInstruction
    {
        private readonly WebSocketBehaviour _socket;
        private readonly float _deadline;
        private bool _closed;
        private bool _done;
        private bool _timedOut;

        /// <summary>Starts waiting; <paramref name="timeoutSeconds"/> must be positive.</summary>
        public WaitForMessage(WebSocketBehaviour socket, float timeoutSeconds = 10f)
        {
            if (ReferenceEquals(socket, null))
                throw new ArgumentNullException("socket");
            if (!(timeoutSeconds > 0f))
                throw new ArgumentOutOfRangeException("timeoutSeconds", "must be positive");
            _socket = socket;
            _deadline = Time.realtimeSinceStartup + timeoutSeconds;
            _socket.FrameReceived += OnFrame;
            _socket.Closed += OnClosed;
        }

        /// <summary>True when a message arrived.</summary>
        public bool Received { get; private set; }

        /// <summary>FrameV1 opcode of the message (valid when <see cref="Received"/>).</summary>
        public int Opcode { get; private set; }

        /// <summary>Copy of the message payload (valid when <see cref="Received"/>).</summary>
        public byte[] Payload { get; private set; }

        /// <summary>True when the wait ended because the timeout elapsed.</summary>
        public bool TimedOut { get { return _timedOut; } }

        /// <inheritdoc />
        public override bool keepWaiting
        {
            get
            {
                if (_done)
                    return false;
                if (Received || _closed || _socket == null)
                    return Finish();
                if (Time.realtimeSinceStartup >= _deadline)
                {
                    _timedOut = true;
                    return Finish();
                }
                return true;
            }
        }

        private bool Finish()
        {
            _done = true;
            Detach();
            return false;
        }

        private void Detach()
        {
            if (!ReferenceEquals(_socket, null))
            {
                _socket.FrameReceived -= OnFrame;
                _socket.Closed -= OnClosed;
            }
        }

        private void OnFrame(int opcode, ReadOnlySpan<byte> payload)
        {
            if (Received || _done)
                return;
            Received = true;
            Opcode = opcode;
            Payload = payload.ToArray();
            // Stop listening at once so later messages cost nothing.
            Detach();
        }

        private void OnClosed(ushort code, string reason) { _closed = true; }
    }
}
