using Devian.Network.Unity;
using UnityEditor;

namespace Devian.Network.Editor
{
    /// <summary>
    /// Editor safety: closes every native WebSocket connection and joins its threads before an
    /// assembly reload and when play mode exits.
    /// </summary>
    /// <remarks>
    /// The native library stays loaded in the editor process across domain reloads, but the
    /// managed callbacks its threads hold die with the old domain. Shutting everything down
    /// first means no native thread ever calls into an unloaded domain, and no connection
    /// from the last play session keeps running in edit mode. The static constructor runs again
    /// after every reload, so the hooks are always registered exactly once per domain.
    /// </remarks>
    [InitializeOnLoad]
    internal static class EditorNativeShutdown
    {
        static EditorNativeShutdown()
        {
            AssemblyReloadEvents.beforeAssemblyReload += OnBeforeAssemblyReload;
            EditorApplication.playModeStateChanged += OnPlayModeStateChanged;
            EditorApplication.quitting += OnQuitting;
        }

        private static void OnBeforeAssemblyReload()
        {
            NativeLifetime.ShutdownAll();
        }

        private static void OnPlayModeStateChanged(PlayModeStateChange change)
        {
            // ExitingPlayMode comes before the scene's objects are destroyed, so live
            // components release their clients here rather than in a half-torn-down OnDestroy.
            if (change == PlayModeStateChange.ExitingPlayMode)
                NativeLifetime.ShutdownAll();
        }

        private static void OnQuitting()
        {
            NativeLifetime.ShutdownAll();
        }
    }
}
