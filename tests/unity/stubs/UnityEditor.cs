// Stand-ins for the parts of UnityEditor (2021.3) that the package's Editor code uses. Names and
// signatures follow Unity's; EditorLoop (not a Unity API) lets tests/unity/host raise the
// editor events the way the editor would. Never shipped.
using System;

namespace UnityEditor
{
    [AttributeUsage(AttributeTargets.Class)]
    public class InitializeOnLoadAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Method)]
    public class InitializeOnLoadMethodAttribute : Attribute { }

    public enum PlayModeStateChange
    {
        EnteredEditMode,
        ExitingEditMode,
        EnteredPlayMode,
        ExitingPlayMode,
    }

    public static class AssemblyReloadEvents
    {
        public delegate void AssemblyReloadCallback();
        public static event AssemblyReloadCallback beforeAssemblyReload;
        public static event AssemblyReloadCallback afterAssemblyReload;

        internal static void RaiseBefore() { var e = beforeAssemblyReload; if (e != null) e(); }
        internal static void RaiseAfter() { var e = afterAssemblyReload; if (e != null) e(); }
    }

    public static class EditorApplication
    {
        public static event Action<PlayModeStateChange> playModeStateChanged;
        public static event Action quitting;
        public static bool isPlaying { get { return false; } }

        internal static void RaisePlayMode(PlayModeStateChange change) { var e = playModeStateChanged; if (e != null) e(change); }
        internal static void RaiseQuitting() { var e = quitting; if (e != null) e(); }
    }

    /// <summary>Host side (not a Unity API): raises editor events as the editor would.</summary>
    public static class EditorLoop
    {
        /// <summary>Runs the static constructors of [InitializeOnLoad] classes, as the editor does after a domain load.</summary>
        public static void InitializeOnLoad(System.Reflection.Assembly assembly)
        {
            foreach (var t in assembly.GetTypes())
                if (t.IsDefined(typeof(InitializeOnLoadAttribute), false))
                    System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(t.TypeHandle);
        }

        public static void BeforeAssemblyReload() { AssemblyReloadEvents.RaiseBefore(); }
        public static void PlayModeStateChanged(PlayModeStateChange change) { EditorApplication.RaisePlayMode(change); }
        public static void Quitting() { EditorApplication.RaiseQuitting(); }
    }
}

namespace UnityEditor
{
    public enum BuildTarget
    {
        StandaloneOSX = 2,
        StandaloneWindows = 5,
        iOS = 9,
        Android = 13,
        StandaloneWindows64 = 19,
        WebGL = 20,
        StandaloneLinux64 = 24,
    }
}

namespace UnityEditor.Build
{
    public interface IOrderedCallback { int callbackOrder { get; } }

    public interface IPostprocessBuildWithReport : IOrderedCallback
    {
        void OnPostprocessBuild(UnityEditor.Build.Reporting.BuildReport report);
    }
}

namespace UnityEditor.Build.Reporting
{
    public struct BuildSummary
    {
        public BuildTarget platform { get; set; }
        public string outputPath { get; set; }
    }

    public sealed class BuildReport
    {
        public BuildSummary summary { get; set; }
    }
}

namespace UnityEditor.PackageManager
{
    public sealed class PackageInfo
    {
        public string name { get; set; }
        public string resolvedPath { get; set; }
        public static PackageInfo FindForAssembly(System.Reflection.Assembly assembly) { return null; }
    }
}
