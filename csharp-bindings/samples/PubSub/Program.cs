using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Devian.Network.Messaging;
using Devian.Network.Transports;

namespace Devian.Network.Samples
{
    /// <summary>
    /// Two clients and the reference pubsub_server: Alice subscribes to "chat", Bob publishes to it; Bob asks
    /// the server a question (request/response); Alice unsubscribes. Run by <c>scripts/demo pubsub</c>.
    /// Exit code 0 when every step happened.
    /// </summary>
    internal static class PubSubProgram
    {
        private static int Main(string[] args)
        {
            string url = args.Length > 0 ? args[0] : "ws://127.0.0.1:9002/";
            using (var alice = new WebSocketClient(new WebSocketOptions()))
            using (var bob = new WebSocketClient(new WebSocketOptions()))
            {
                var aliceHub = new WebSocketConnectionManager(alice);
                var bobHub = new WebSocketConnectionManager(bob);
                int heard = 0;
                aliceHub.Subscribe("chat", (topic, data) =>
                {
                    heard++;
                    Console.WriteLine("  alice heard on {0}: {1}", topic, Encoding.UTF8.GetString(data.ToArray()));
                });
                alice.Connect(url);
                bob.Connect(url);
                Pump(alice, bob, () => alice.IsOpen && bob.IsOpen, "both open");

                // A round trip first, so the server has Alice's subscription before Bob publishes.
                Task<byte[]> ready = aliceHub.RequestAsync(Encoding.UTF8.GetBytes("ready?"), TimeSpan.FromSeconds(5));
                Pump(alice, bob, () => ready.IsCompleted, "subscription");
                foreach (string line in new[] { "hello alice", "how is the game?" })
                {
                    Console.WriteLine("  bob publishes to chat: {0}", line);
                    bobHub.Publish("chat", Encoding.UTF8.GetBytes(line));
                }
                Pump(alice, bob, () => heard == 2, "two chat messages");

                Task<byte[]> answer = bobHub.RequestAsync(Encoding.UTF8.GetBytes("what time is it?"), TimeSpan.FromSeconds(5));
                Pump(alice, bob, () => answer.IsCompleted, "the response");
                Console.WriteLine("  bob's request came back: {0} (the reference server echoes requests)", Encoding.UTF8.GetString(answer.Result));

                ConnectionManagerStatistics s = bobHub.Statistics;
                Console.WriteLine("  bob: {0} envelopes out, {1} in, last round trip {2:0.000} ms", s.MessagesOut, s.MessagesIn, s.LastLatency.TotalMilliseconds);
                alice.Close();
                bob.Close();
                Pump(alice, bob, () => alice.State == WebSocketState.Closed && bob.State == WebSocketState.Closed, "closed");
            }
            Console.WriteLine("pubsub demo: every step happened");
            return 0;
        }

        private static void Pump(WebSocketClient a, WebSocketClient b, Func<bool> done, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!done())
            {
                if (watch.ElapsedMilliseconds > 10000)
                {
                    throw new TimeoutException("pubsub demo: no " + what + " within 10 s");
                }
                a.Update();
                b.Update();
                Thread.Sleep(1);
            }
        }
    }
}
