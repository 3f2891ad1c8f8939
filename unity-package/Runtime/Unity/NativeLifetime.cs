using System;
using UnityEngine;

namespace Devian.Network.Unity
{
    /// <summary>
    /// Process-wide shutdown of the native engine (libdevian_ws).
    /// </summary>
    /// <remarks>
    /// Unity loads a native plugin once and never unloads it: it stays in the editor process
    /// across domain reloads (on Windows the DLL stays locked until the editor quits). Its
    /// connections and send/receive threads therefore outlive the managed objects that owned
    /// them, and a thread that calls back into a domain that was just unloaded crashes the
    /// editor. <see cref="ShutdownAll"/> stops every connection and its native threads;
    /// the Editor assembly calls it before each assembly reload and when play mode exits, and
    /// players call it when the application quits. The library itself stays loaded, so the
    /// next domain starts with an empty connection table instead of reloading the plugin.
    /// </remarks>
    public static class NativeLifetime
    {
        /// <summary>
        /// Stops every native connection at once and waits for them once (about 100 ms at most,
        /// whatever the network does), then disposes the client of every live
        /// <see cref="WebSocketBehaviour"/>, which is then immediate. Safe to call repeatedly, and
        /// when the native plugin is missing on this platform (it then only disposes).
        /// </summary>
        public static void ShutdownAll()
        {
            // First, so N stuck connections cost one bounded wait, not N of them.
            try
            {
                Devian.Network.Native.Interop.dws_shutdown_all();
            }
            catch (DllNotFoundException)
            {
                // No native plugin for this platform: no native connections either.
            }
            catch (EntryPointNotFoundException)
            {
                // Same: an older or foreign library without the shutdown entry point.
            }
            try
            {
                WebSocketBehaviour.ReleaseAll();
            }
            catch (Exception e)
            {
                Debug.LogException(e);
            }
        }

        // Players: join native threads before the process tears down the managed runtime.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        private static void InstallQuitHook()
        {
            Application.quitting -= ShutdownAll;
            Application.quitting += ShutdownAll;
        }
    }
}
