using System;
using UnityEngine;

namespace Devian.Network.Unity
{
    /// <summary>
    /// Coroutine wait for a <see cref="WebSocketBehaviour"/> to open:
    /// <code>
    /// var wait = socket.WaitForOpen(5f);
    /// yield return wait;
    /// if (!wait.IsOpen) Debug.LogWarning(wait.TimedOut ? "timed out" : "failed");
    /// </code>
    /// Finishes when the connection opens, on the first error or close, when the component is
    /// destroyed, or after the timeout (unscaled real time, so a paused game still times out).
    /// </summary>
    public sealed class WaitForOpen : CustomYieldInstruction
    {
        private readonly WebSocketBehaviour _socket;
        private readonly float _deadline;
        private bool _failed;
        private bool _done;
        private bool _timedOut;

        /// <summary>Starts waiting; <paramref name="timeoutSeconds"/> must be positive.</summary>
        public WaitForOpen(WebSocketBehaviour socket, float timeoutSeconds = 10f)
        {
            if (ReferenceEquals(socket, null))
                throw new ArgumentNullException("socket");
            if (!(timeoutSeconds > 0f))
                throw new ArgumentOutOfRangeException("timeoutSeconds", "must be positive");
            _socket = socket;
            _deadline = Time.realtimeSinceStartup + timeoutSeconds;
            _socket.Closed += OnClosed;
            _socket.Failed += OnFailed;
        }

        /// <summary>True when the wait ended because the connection is open.</summary>
        public bool IsOpen { get; private set; }

        /// <summary>True when the wait ended because the timeout elapsed.</summary>
        public bool TimedOut { get { return _timedOut; } }

        /// <summary>The error that ended the wait, if any.</summary>
        public Exception Error { get; private set; }

        /// <inheritdoc />
        public override bool keepWaiting
        {
            get
            {
                if (_done)
                    return false;
                // Unity's == also reports a destroyed component as null.
                if (_socket == null)
                    return Finish();
                if (_socket.IsOpen)
                {
                    IsOpen = true;
                    return Finish();
                }
                if (_failed)
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
            if (!ReferenceEquals(_socket, null))
            {
                _socket.Closed -= OnClosed;
                _socket.Failed -= OnFailed;
            }
            return false;
        }

        private void OnClosed(ushort code, string reason) { _failed = true; }

        private void OnFailed(Exception error)
        {
            _failed = true;
            Error = error;
        }
    }
}
