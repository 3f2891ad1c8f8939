using System;
using System.Collections;
using System.Text;
using Devian.Network.Unity;
using UnityEngine;

namespace Devian.Network.Samples
{
    /// <summary>
    /// Echo sample: add it to a GameObject (a WebSocket component comes with it), point that
    /// component at an echo server and press Play. It waits for the connection in a coroutine, sends a greeting every few
    /// seconds and logs every echo, using the zero-allocation FrameReceived event.
    /// </summary>
    [RequireComponent(typeof(WebSocketBehaviour))]
    [AddComponentMenu("Devian/Network/Samples/Echo Sample")]
    public sealed class EchoSample : MonoBehaviour
    {
        private const int GreetingOpcode = 1;

        [Tooltip("Seconds between greetings.")]
        [SerializeField] private float interval = 2f;
        [Tooltip("Greetings to send before closing (bounded, so the sample always ends).")]
        [SerializeField] private int greetings = 5;

        private WebSocketBehaviour _socket;

        private void Awake()
        {
            // RequireComponent guarantees it: Unity adds one along with this component.
            _socket = GetComponent<WebSocketBehaviour>();
            _socket.FrameReceived += OnFrame;
            _socket.Closed += OnClosed;
            _socket.Failed += OnFailed;
        }

        private IEnumerator Start()
        {
            if (!_socket.IsOpen && !_socket.ConnectOnEnable)
                _socket.Connect();

            var open = _socket.WaitForOpen(10f);
            yield return open;
            if (!open.IsOpen)
            {
                Debug.LogWarning("Echo sample: could not connect to " + _socket.Url +
                                 (open.TimedOut ? " (timed out)" : ""), this);
                yield break;
            }

            for (int i = 0; i < greetings && _socket.IsOpen; i++)
            {
                _socket.SendText(GreetingOpcode, "hello #" + i + " from " + Application.version);
                var echo = _socket.WaitForMessage(10f);
                yield return echo;
                if (!echo.Received)
                    break;
                yield return new WaitForSeconds(interval);
            }
            _socket.Close();
        }

        private void OnDestroy()
        {
            if (_socket != null)
            {
                _socket.FrameReceived -= OnFrame;
                _socket.Closed -= OnClosed;
                _socket.Failed -= OnFailed;
            }
        }

        // Zero-allocation path; decoding to a string here is only for the log line.
        private void OnFrame(int opcode, ReadOnlySpan<byte> payload)
        {
            Debug.Log("Echo sample: opcode " + opcode + ", " + payload.Length + " bytes: " +
                      Encoding.UTF8.GetString(payload.ToArray()), this);
        }

        private void OnClosed(ushort code, string reason)
        {
            Debug.Log("Echo sample: closed " + code + " " + reason, this);
        }

        private void OnFailed(Exception error)
        {
            Debug.LogWarning("Echo sample: " + error.Message, this);
        }
    }
}
