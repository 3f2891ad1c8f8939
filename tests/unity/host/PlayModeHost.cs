// Headless play-mode host: runs the package's Unity Test Framework tests (Tests/Runtime) on Mono
// with the real C# layer and the real native library, driven by the stand-in player loop in
// tests/unity/stubs. Then it checks the editor-safety hooks the way the editor would fire them.
//
//   mono PlayModeHost.exe Devian.Network.Tests.dll Devian.Network.Editor.dll
//
// The echo server address comes from DEVIAN_WS_ECHO_URL, as for the tests in Unity.
// Prints one line per test and "N passed, N failed, N ignored"; exit code 1 on any failure.
// Not a Unity replacement: no scenes, no serialization, no IL2CPP. It shows that the component,
// its events, coroutine helpers and shutdown hooks behave as documented against the engine.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using Devian.Network.Unity;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;
using UnityEngine.TestTools;

internal static class PlayModeHost
{
    // Bounds for every test: wall-clock time and frames (each frame sleeps ~1 ms).
    private static readonly TimeSpan TestTimeLimit = TimeSpan.FromSeconds(60);
    private const int FrameLimit = 200000;

    private static int _passed, _failed, _ignored;

    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: PlayModeHost.exe <tests.dll> <editor.dll>");
            return 2;
        }
        var tests = Assembly.LoadFrom(args[0]);
        var editor = Assembly.LoadFrom(args[1]);
        var runtime = typeof(WebSocketBehaviour).Assembly;

        // What Unity does when play mode starts and after each domain load.
        RunRuntimeInitializers(runtime);
        EditorLoop.InitializeOnLoad(editor);

        foreach (var fixture in tests.GetTypes().Where(IsFixture).OrderBy(t => t.FullName))
            foreach (var method in fixture.GetMethods().Where(IsTest).OrderBy(m => m.Name))
                RunTest(fixture, method);

        RunHostCheck("editor: beforeAssemblyReload shuts every connection down", () => EditorShutdown(EditorLoop.BeforeAssemblyReload));
        RunHostCheck("editor: ExitingPlayMode shuts every connection down", () => EditorShutdown(() => EditorLoop.PlayModeStateChanged(PlayModeStateChange.ExitingPlayMode)));
        RunHostCheck("player: quitting closes components and shuts the engine down", () => EditorShutdown(PlayerLoop.Quit));

        RunHostCheck("editor: WebGL post-build copies the wasm module into StreamingAssets", () => WebGLPostBuild(editor));
        RunHostCheck("editor: WebGL post-build reports a package without the wasm module", () => WebGLPostBuildMissing(editor));

        Console.WriteLine(_passed + " passed, " + _failed + " failed, " + _ignored + " ignored");
        return _failed == 0 ? 0 : 1;
    }

    private static bool IsFixture(Type t)
    {
        return t.IsClass && !t.IsAbstract && t.GetMethods().Any(IsTest);
    }

    private static bool IsTest(MethodInfo m)
    {
        return m.IsDefined(typeof(TestAttribute), true) || m.IsDefined(typeof(UnityTestAttribute), true);
    }

    private static void RunRuntimeInitializers(Assembly assembly)
    {
        foreach (var t in assembly.GetTypes())
            foreach (var m in t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                if (m.IsDefined(typeof(RuntimeInitializeOnLoadMethodAttribute), false))
                    m.Invoke(null, null);
    }

    private static void RunTest(Type fixture, MethodInfo method)
    {
        string name = fixture.Name + "." + method.Name;
        object instance = Activator.CreateInstance(fixture);
        PlayerLoop.TakeErrors();
        string outcome = null;
        try
        {
            Invoke(instance, fixture.GetMethods().Where(m => m.IsDefined(typeof(SetUpAttribute), true)));
            object result = method.Invoke(instance, null);
            var routine = result as IEnumerator;
            if (routine != null)
                Drive(routine);
        }
        catch (Exception e)
        {
            outcome = Classify(Unwrap(e));
        }
        try
        {
            Invoke(instance, fixture.GetMethods().Where(m => m.IsDefined(typeof(TearDownAttribute), true)));
        }
        catch (Exception e)
        {
            outcome = outcome ?? "FAIL (teardown): " + Unwrap(e).Message;
        }
        PlayerLoop.Reset();
        PlayerLoop.Frame();
        // Unity's test framework fails a test that logs an unexpected error or exception.
        var errors = PlayerLoop.TakeErrors();
        if (outcome == null && errors.Count > 0)
            outcome = "FAIL: logged " + string.Join(" | ", errors);
        Report(name, outcome);
    }

    private static void Invoke(object instance, IEnumerable<MethodInfo> methods)
    {
        foreach (var m in methods)
            m.Invoke(instance, null);
    }

    /// <summary>Steps a [UnityTest] coroutine once per frame, after the frame's Update and coroutines.</summary>
    private static void Drive(IEnumerator routine)
    {
        var stack = new Stack<IEnumerator>();
        stack.Push(routine);
        float waitUntil = 0f;
        var deadline = DateTime.UtcNow + TestTimeLimit;
        if (!PlayerLoop.StepRoutine(stack, ref waitUntil))
            return;
        for (int frame = 0; frame < FrameLimit; frame++)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("test did not finish within " + TestTimeLimit.TotalSeconds + " s");
            Thread.Sleep(1);
            PlayerLoop.Frame();
            if (UnityEngine.Time.realtimeSinceStartup < waitUntil)
                continue;
            if (!PlayerLoop.StepRoutine(stack, ref waitUntil))
                return;
        }
        throw new TimeoutException("test did not finish within " + FrameLimit + " frames");
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException && e.InnerException != null)
            e = e.InnerException;
        return e;
    }

    private static string Classify(Exception e)
    {
        if (e is SuccessException) return null;
        if (e is IgnoreException || e is InconclusiveException) return "IGNORED: " + e.Message;
        if (e is AssertionException) return "FAIL: " + e.Message.Trim();
        return "FAIL: " + e;
    }

    private static void Report(string name, string outcome)
    {
        if (outcome == null)
        {
            _passed++;
            Console.WriteLine("ok - " + name);
        }
        else if (outcome.StartsWith("IGNORED", StringComparison.Ordinal))
        {
            _ignored++;
            Console.WriteLine("ignored - " + name + ": " + outcome);
        }
        else
        {
            _failed++;
            Console.WriteLine("FAIL - " + name + ": " + outcome);
        }
    }

    private static void RunHostCheck(string name, Action check)
    {
        PlayerLoop.TakeErrors();
        string outcome = null;
        try
        {
            check();
        }
        catch (Exception e)
        {
            outcome = Classify(Unwrap(e));
        }
        PlayerLoop.Reset();
        var errors = PlayerLoop.TakeErrors();
        if (outcome == null && errors.Count > 0)
            outcome = "FAIL: logged " + string.Join(" | ", errors);
        Report(name, outcome);
    }

    /// <summary>
    /// Opens three components against the echo server, fires <paramref name="trigger"/> and
    /// checks that every component released its client, no native connection is left and the
    /// engine's threads are gone.
    /// </summary>
    private static void EditorShutdown(Action trigger)
    {
        string url = Environment.GetEnvironmentVariable("DEVIAN_WS_ECHO_URL");
        if (string.IsNullOrEmpty(url))
            url = WebSocketBehaviour.DefaultUrl;
        int threadsBefore = ThreadCount();
        var sockets = new List<WebSocketBehaviour>();
        for (int i = 0; i < 3; i++)
        {
            var go = new GameObject("shutdown-" + i);
            go.SetActive(false);
            var socket = go.AddComponent<WebSocketBehaviour>();
            socket.ConnectOnEnable = false;
            go.SetActive(true);
            socket.Connect(url);
            sockets.Add(socket);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!sockets.All(s => s.IsOpen) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
            PlayerLoop.Frame();
        }
        if (!sockets.All(s => s.IsOpen))
            Assert.Ignore("no WebSocket echo server at " + url);
        Assert.AreEqual(3u, LiveNativeConnections(), "three native connections before the trigger");
        Assert.Greater(ThreadCount(), threadsBefore, "the engine runs threads while connected");

        trigger();

        Assert.AreEqual(0u, LiveNativeConnections(), "native connections left after the trigger");
        foreach (var s in sockets)
            Assert.IsFalse(s != null && s.Client != null, "a component kept its client");
        // dws_shutdown_all joins the engine's threads before returning, so no waiting here.
        Assert.LessOrEqual(ThreadCount(), threadsBefore, "engine threads left after the trigger");
    }

    private static MethodInfo WebGLCopy(Assembly editor)
    {
        var type = editor.GetType("Devian.Network.Editor.WebGLBuildPostprocessor", true);
        return type.GetMethod("Copy", BindingFlags.Static | BindingFlags.NonPublic);
    }

    private static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "devian-unity-host-" + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void WebGLPostBuild(Assembly editor)
    {
        string source = TempDir("src"), build = TempDir("build");
        try
        {
            var files = new[] { "devian_ws_webgl.js", "devian_ws_webgl_bg.wasm", "devian-ws-loader.js" };
            for (int i = 0; i < files.Length; i++)
                File.WriteAllBytes(Path.Combine(source, files[i]), new byte[] { (byte)i, 1, 2, 3 });
            File.WriteAllText(Path.Combine(build, "index.html"), "<script src=\"StreamingAssets/devian-ws/devian-ws-loader.js\"></script>");
            Assert.IsTrue((bool)WebGLCopy(editor).Invoke(null, new object[] { source, build }));
            for (int i = 0; i < files.Length; i++)
                CollectionAssert.AreEqual(new byte[] { (byte)i, 1, 2, 3 },
                    File.ReadAllBytes(Path.Combine(Path.Combine(Path.Combine(build, "StreamingAssets"), "devian-ws"), files[i])));
        }
        finally
        {
            Directory.Delete(source, true);
            Directory.Delete(build, true);
        }
    }

    private static void WebGLPostBuildMissing(Assembly editor)
    {
        string source = TempDir("empty"), build = TempDir("build");
        try
        {
            Assert.IsFalse((bool)WebGLCopy(editor).Invoke(null, new object[] { source, build }));
            Assert.IsFalse(Directory.Exists(Path.Combine(build, "StreamingAssets")), "nothing is copied from an incomplete package");
            var errors = PlayerLoop.TakeErrors();
            Assert.AreEqual(1, errors.Count, "exactly one error explains the missing module");
        }
        finally
        {
            Directory.Delete(source, true);
            Directory.Delete(build, true);
        }
    }

    // Declared here: the package's P/Invoke layer (Interop) is internal to it.
    [System.Runtime.InteropServices.DllImport("devian_ws")]
    private static extern uint dws_list(IntPtr handles, uint capacity);

    private static uint LiveNativeConnections()
    {
        return dws_list(IntPtr.Zero, 0);
    }

    private static int ThreadCount()
    {
        // Linux: one entry per OS thread of this process, managed or native.
        return Directory.GetDirectories("/proc/self/task").Length;
    }
}
