using System;
using System.Threading;
using System.Threading.Tasks.Sources;

namespace Devian.Network.Transports
{
    /// <summary>
    /// The one reusable awaitable behind <see cref="AsyncWebSocketClient.ReceiveAsync"/>, so a receive that
    /// has to wait allocates no task. One operation at a time: <see cref="Reset"/> starts one (a new
    /// version), <see cref="SetResult"/> or <see cref="SetException"/> ends it, the awaiter reads it once.
    /// Continuations run on the thread pool, never on the pump thread that completes them.
    /// </summary>
    internal sealed class MessageReceiveSource : IValueTaskSource<WebSocketMessage>
    {
        private static readonly Action<object> Sentinel = s => { };
        private static readonly WaitCallback RunContinuation = s => ((MessageReceiveSource)s).InvokeContinuation();

        private readonly object _lock = new object();
        private short _version;
        private bool _completed;
        private WebSocketMessage _result;
        private Exception _error;
        private Action<object> _continuation;
        private object _state;

        /// <summary>Starts a new operation; returns its token.</summary>
        public short Reset()
        {
            lock (_lock)
            {
                _version++;
                _completed = false;
                _error = null;
                _result = default(WebSocketMessage);
                _continuation = null;
                _state = null;
                return _version;
            }
        }

        public void SetResult(WebSocketMessage message)
        {
            Complete(message, null);
        }

        public void SetException(Exception error)
        {
            Complete(default(WebSocketMessage), error);
        }

        private void Complete(WebSocketMessage message, Exception error)
        {
            bool run;
            lock (_lock)
            {
                if (_completed)
                {
                    return;
                }
                _completed = true;
                _result = message;
                _error = error;
                run = _continuation != null;
                if (!run)
                {
                    _continuation = Sentinel;
                }
            }
            if (run)
            {
                ThreadPool.UnsafeQueueUserWorkItem(RunContinuation, this);
            }
        }

        private void InvokeContinuation()
        {
            Action<object> c;
            object s;
            lock (_lock)
            {
                c = _continuation;
                s = _state;
            }
            c(s);
        }

        public ValueTaskSourceStatus GetStatus(short token)
        {
            lock (_lock)
            {
                Check(token);
                if (!_completed) return ValueTaskSourceStatus.Pending;
                if (_error == null) return ValueTaskSourceStatus.Succeeded;
                return _error is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;
            }
        }

        public WebSocketMessage GetResult(short token)
        {
            lock (_lock)
            {
                Check(token);
                if (!_completed)
                {
                    throw new InvalidOperationException("ReceiveAsync has not completed");
                }
                if (_error != null)
                {
                    throw _error;
                }
                return _result;
            }
        }

        public void OnCompleted(Action<object> continuation, object state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            bool runNow;
            lock (_lock)
            {
                Check(token);
                _state = state;
                runNow = _completed;
                _continuation = continuation;
            }
            if (runNow)
            {
                ThreadPool.UnsafeQueueUserWorkItem(RunContinuation, this);
            }
        }

        private void Check(short token)
        {
            if (token != _version)
            {
                throw new InvalidOperationException("a ReceiveAsync result may be awaited only once");
            }
        }
    }
}
