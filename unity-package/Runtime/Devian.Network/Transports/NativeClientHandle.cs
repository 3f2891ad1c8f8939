using System;
using System.Runtime.InteropServices;
using Devian.Network.Native;

namespace Devian.Network.Transports
{
    /// <summary>
    /// Owns one native client handle and frees it exactly once. The native handle is a u64
    /// (generation &lt;&lt; 32 | slot), which does not fit an IntPtr on 32-bit players, so it is kept
    /// in a field and the SafeHandle's IntPtr is only a non-zero "alive" marker. SafeHandle gives
    /// what raw fields cannot: a reference count (DangerousAddRef) so Dispose on another thread or
    /// the finalizer never frees the handle while a call or a polled event is still using it.
    /// </summary>
    internal sealed class NativeClientHandle : SafeHandle
    {
        private readonly ulong _value;

        /// <summary>Takes ownership of <paramref name="value"/>, a live handle from <c>dws_client_new</c>.</summary>
        public NativeClientHandle(ulong value) : base(IntPtr.Zero, true)
        {
            _value = value;
            SetHandle(new IntPtr(1));
        }

        /// <summary>The native handle value. Only pass it to native code between DangerousAddRef and DangerousRelease.</summary>
        public ulong Value { get { return _value; } }

        /// <inheritdoc/>
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            // Runs once, after the last reference is released (possibly on the finalizer thread).
            // InvalidHandle here only means dws_shutdown_all already freed it: nothing left to do.
            try
            {
                Interop.dws_client_free(_value);
            }
            catch (Exception)
            {
                // Never let an exception escape a finalizer; the native side catches its own panics.
            }
            return true;
        }
    }
}
