using System;
using System.Collections.Generic;
using System.Threading;
using Devian.Network.Unity;
using NUnit.Framework;

namespace Devian.Network.Tests
{
    /// <summary>
    /// The inbox that moves worker-thread callbacks to the main thread. Plain [Test]s: they need
    /// no scene and no server.
    /// </summary>
    public sealed class MainThreadInboxTests
    {
        [Test]
        public void MessagePostedFromWorkerThread_IsDispatchedOnDrainingThread_WithPayloadCopy()
        {
            var inbox = new MainThreadInbox();
            var payload = new byte[] { 1, 2, 3, 250 };
            var worker = new Thread(() => inbox.PostMessage(42, new ReadOnlySpan<byte>(payload)));
            worker.Start();
            Assert.IsTrue(worker.Join(TimeSpan.FromSeconds(10)), "worker did not finish");
            // The caller may reuse its buffer at once: the inbox must have copied it.
            payload[0] = 99;

            int mainThread = Thread.CurrentThread.ManagedThreadId;
            int dispatchThread = -1;
            int opcode = 0;
            byte[] seen = null;
            inbox.Drain(item =>
            {
                dispatchThread = Thread.CurrentThread.ManagedThreadId;
                opcode = item.Opcode;
                seen = new ReadOnlySpan<byte>(item.Buffer, 0, item.Length).ToArray();
            });

            Assert.AreEqual(mainThread, dispatchThread);
            Assert.AreEqual(42, opcode);
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 250 }, seen);
            Assert.IsTrue(inbox.IsEmpty);
        }

        [Test]
        public void EmptyPayload_IsDeliveredWithZeroLength()
        {
            var inbox = new MainThreadInbox();
            inbox.PostMessage(7, ReadOnlySpan<byte>.Empty);
            int length = -1;
            inbox.Drain(item => length = item.Length);
            Assert.AreEqual(0, length);
        }

        [Test]
        public void ItemsPostedDuringDrain_WaitForTheNextDrain()
        {
            // A handler that posts again must not keep the main thread inside one Drain call.
            var inbox = new MainThreadInbox();
            inbox.Post(new MainThreadInbox.Item { Kind = MainThreadInbox.Kind.Open });
            int calls = 0;
            inbox.Drain(item =>
            {
                calls++;
                inbox.Post(new MainThreadInbox.Item { Kind = MainThreadInbox.Kind.Open });
            });
            Assert.AreEqual(1, calls);
            Assert.IsFalse(inbox.IsEmpty);
        }

        [Test]
        public void OrderIsPreserved_AcrossKinds()
        {
            var inbox = new MainThreadInbox();
            inbox.Post(new MainThreadInbox.Item { Kind = MainThreadInbox.Kind.Open });
            inbox.PostMessage(1, new byte[] { 1 });
            inbox.Post(new MainThreadInbox.Item { Kind = MainThreadInbox.Kind.Close, Code = 1000 });
            var kinds = new List<MainThreadInbox.Kind>();
            inbox.Drain(item => kinds.Add(item.Kind));
            CollectionAssert.AreEqual(
                new[] { MainThreadInbox.Kind.Open, MainThreadInbox.Kind.Message, MainThreadInbox.Kind.Close },
                kinds);
        }

        [Test]
        public void ThrowingHandler_StillReturnsBuffer_AndLeavesRestQueued()
        {
            var inbox = new MainThreadInbox();
            inbox.PostMessage(1, new byte[] { 1 });
            inbox.PostMessage(2, new byte[] { 2 });
            Assert.Throws<InvalidOperationException>(() => inbox.Drain(item => { throw new InvalidOperationException("handler"); }));
            int opcode = 0;
            inbox.Drain(item => opcode = item.Opcode);
            Assert.AreEqual(2, opcode);
        }

        [Test]
        public void Clear_DropsEverything()
        {
            var inbox = new MainThreadInbox();
            inbox.PostMessage(1, new byte[] { 1, 2 });
            inbox.Post(new MainThreadInbox.Item { Kind = MainThreadInbox.Kind.Open });
            inbox.Clear();
            Assert.IsTrue(inbox.IsEmpty);
        }
    }
}
