// Stand-ins for the parts of UnityEngine (2021.3) that the package uses. Never shipped.
//
// Two uses: (1) mcs type-checks the package's Runtime, Tests and Sample code against these
// declarations, whose names and signatures follow Unity's own; (2) tests/unity/host runs the
// package's play-mode tests headless on Mono. For (2) the members the tests exercise behave
// like Unity's: component messages (Awake, OnEnable, Update, OnDisable, OnDestroy,
// OnApplicationQuit) on one main thread, deferred Destroy, destroyed objects comparing equal to
// null, UnityEvent listeners, coroutines and CustomYieldInstruction, real-time clocks. Anything
// beyond that is a no-op. Add members only when package code starts using them.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;

namespace UnityEngine
{
    public class Object
    {
        internal bool destroyed;

        public string name { get; set; }

        public static void Destroy(Object obj) { if (!ReferenceEquals(obj, null)) PlayerLoop.DestroyLater(obj); }
        public static void Destroy(Object obj, float t) { Destroy(obj); }
        public static void DestroyImmediate(Object obj) { if (!ReferenceEquals(obj, null)) PlayerLoop.DestroyNow(obj); }
        public static void DontDestroyOnLoad(Object target) { }

        // Unity's "fake null": a destroyed object compares equal to null.
        public static implicit operator bool(Object exists) { return !ReferenceEquals(exists, null) && !exists.destroyed; }
        public static bool operator ==(Object x, Object y)
        {
            bool xNull = ReferenceEquals(x, null) || x.destroyed;
            bool yNull = ReferenceEquals(y, null) || y.destroyed;
            if (xNull || yNull) return xNull && yNull;
            return ReferenceEquals(x, y);
        }
        public static bool operator !=(Object x, Object y) { return !(x == y); }
        public override bool Equals(object other) { return ReferenceEquals(this, other); }
        public override int GetHashCode() { return base.GetHashCode(); }
    }

    public class Component : Object
    {
        internal GameObject owner;
        internal bool awoken;
        public GameObject gameObject { get { return owner; } }
        public T GetComponent<T>() { return owner != null ? owner.GetComponent<T>() : default(T); }
    }

    public class Behaviour : Component
    {
        private bool _enabled = true;
        public bool enabled
        {
            get { return _enabled; }
            set
            {
                if (_enabled == value) return;
                bool wasActive = isActiveAndEnabled;
                _enabled = value;
                PlayerLoop.ActiveChanged(this, wasActive);
            }
        }
        public bool isActiveAndEnabled { get { return _enabled && owner != null && owner.activeSelf && !destroyed; } }
    }

    public class MonoBehaviour : Behaviour
    {
        public Coroutine StartCoroutine(IEnumerator routine) { return PlayerLoop.Start(this, routine); }
        public void StopCoroutine(Coroutine routine) { PlayerLoop.Stop(routine); }
        public void StopAllCoroutines() { PlayerLoop.StopAll(this); }
    }

    public sealed class GameObject : Object
    {
        internal readonly List<Component> components = new List<Component>();
        private bool _active = true;

        public GameObject() : this("GameObject") { }
        public GameObject(string name) { this.name = name; PlayerLoop.Register(this); }

        public T AddComponent<T>() where T : Component
        {
            var c = (T)Activator.CreateInstance(typeof(T), true);
            c.owner = this;
            components.Add(c);
            foreach (var attr in typeof(T).GetCustomAttributes(typeof(RequireComponent), true))
            {
                var required = ((RequireComponent)attr).m_Type0;
                if (required != null && GetComponentOfType(required) == null)
                    typeof(GameObject).GetMethod("AddComponent").MakeGenericMethod(required).Invoke(this, null);
            }
            if (_active)
            {
                c.awoken = true;
                PlayerLoop.Send(c, "Awake");
                if (c is Behaviour && ((Behaviour)(object)c).isActiveAndEnabled)
                    PlayerLoop.Send(c, "OnEnable");
                PlayerLoop.PendingStart(c);
            }
            return c;
        }

        public T GetComponent<T>()
        {
            object c = GetComponentOfType(typeof(T));
            return c == null ? default(T) : (T)c;
        }

        internal Component GetComponentOfType(Type type)
        {
            foreach (var c in components)
                if (!c.destroyed && type.IsInstanceOfType(c)) return c;
            return null;
        }

        public void SetActive(bool value)
        {
            if (_active == value) return;
            var before = new List<bool>();
            foreach (var c in components) before.Add(c is Behaviour && ((Behaviour)c).isActiveAndEnabled);
            _active = value;
            for (int i = 0; i < components.Count; i++)
            {
                var b = components[i] as Behaviour;
                if (b != null) PlayerLoop.ActiveChanged(b, before[i]);
            }
        }

        public bool activeSelf { get { return _active; } }
    }

    public class YieldInstruction { }

    public sealed class Coroutine : YieldInstruction
    {
        internal MonoBehaviour owner;
        internal readonly Stack<IEnumerator> stack = new Stack<IEnumerator>();
        internal float waitUntil;
        internal bool done;
    }

    public sealed class WaitForSeconds : YieldInstruction
    {
        internal readonly float seconds;
        public WaitForSeconds(float seconds) { this.seconds = seconds; }
    }

    public abstract class CustomYieldInstruction : IEnumerator
    {
        public abstract bool keepWaiting { get; }
        public object Current { get { return null; } }
        public bool MoveNext() { return keepWaiting; }
        public virtual void Reset() { }
    }

    public sealed class WaitUntil : CustomYieldInstruction
    {
        private readonly Func<bool> _predicate;
        public WaitUntil(Func<bool> predicate) { _predicate = predicate; }
        public override bool keepWaiting { get { return !_predicate(); } }
    }

    public static class Debug
    {
        public static void Log(object message) { PlayerLoop.Log(LogType.Log, message); }
        public static void Log(object message, Object context) { Log(message); }
        public static void LogWarning(object message) { PlayerLoop.Log(LogType.Warning, message); }
        public static void LogWarning(object message, Object context) { LogWarning(message); }
        public static void LogError(object message) { PlayerLoop.Log(LogType.Error, message); }
        public static void LogError(object message, Object context) { LogError(message); }
        public static void LogException(Exception exception) { PlayerLoop.Log(LogType.Exception, exception); }
        public static void LogException(Exception exception, Object context) { LogException(exception); }
        public static void LogFormat(string format, params object[] args) { Log(string.Format(format, args)); }
    }

    public static class Application
    {
        public static event Action quitting;
        public static bool isPlaying { get { return true; } }
        public static bool isEditor { get { return false; } }
        public static string version { get { return "0.0.0-host"; } }
        public static string dataPath { get { return System.IO.Path.Combine(Environment.CurrentDirectory, "Assets"); } }
        internal static void RaiseQuitting() { var q = quitting; if (q != null) q(); }
    }

    public static class Time
    {
        internal static readonly Stopwatch clock = Stopwatch.StartNew();
        public static float realtimeSinceStartup { get { return (float)clock.Elapsed.TotalSeconds; } }
        public static float unscaledTime { get { return realtimeSinceStartup; } }
        public static int frameCount { get { return PlayerLoop.frame; } }
    }

    public enum RuntimeInitializeLoadType
    {
        AfterSceneLoad = 0,
        BeforeSceneLoad = 1,
        AfterAssembliesLoaded = 2,
        BeforeSplashScreen = 3,
        SubsystemRegistration = 4,
    }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class RuntimeInitializeOnLoadMethodAttribute : Attribute
    {
        public RuntimeInitializeOnLoadMethodAttribute() { }
        public RuntimeInitializeOnLoadMethodAttribute(RuntimeInitializeLoadType loadType) { }
    }

    [AttributeUsage(AttributeTargets.Field)]
    public sealed class SerializeField : Attribute { }

    public abstract class PropertyAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public class TooltipAttribute : PropertyAttribute { public TooltipAttribute(string tooltip) { } }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = true)]
    public class HeaderAttribute : PropertyAttribute { public HeaderAttribute(string header) { } }

    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = true)]
    public class SpaceAttribute : PropertyAttribute { public SpaceAttribute() { } }

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class AddComponentMenu : Attribute { public AddComponentMenu(string menuName) { } }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class RequireComponent : Attribute
    {
        public Type m_Type0;
        public RequireComponent(Type requiredComponent) { m_Type0 = requiredComponent; }
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class DisallowMultipleComponent : Attribute { }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class HelpURLAttribute : Attribute { public HelpURLAttribute(string url) { } }

    public enum LogType { Error = 0, Assert = 1, Warning = 2, Log = 3, Exception = 4 }

    /// <summary>
    /// Host side (not a Unity API): what the headless runner in tests/unity/host drives.
    /// Single-threaded like Unity's player loop; call everything from one thread.
    /// </summary>
    public static class PlayerLoop
    {
        internal static int frame;
        private static readonly List<GameObject> Objects = new List<GameObject>();
        private static readonly List<Object> DestroyQueue = new List<Object>();
        private static readonly List<Component> StartQueue = new List<Component>();
        private static readonly List<Coroutine> Coroutines = new List<Coroutine>();
        private static readonly Dictionary<KeyValuePair<Type, string>, MethodInfo> Methods =
            new Dictionary<KeyValuePair<Type, string>, MethodInfo>();

        /// <summary>Error and exception logs since the last <see cref="TakeErrors"/> (Unity's test framework fails on them).</summary>
        private static readonly List<string> Errors = new List<string>();

        /// <summary>Whether Debug.Log output is printed.</summary>
        public static bool Verbose;

        public static List<string> TakeErrors()
        {
            var e = new List<string>(Errors);
            Errors.Clear();
            // Unity also fails a test whose LogAssert.Expect was never met.
            e.AddRange(UnityEngine.TestTools.LogAssert.TakeUnmet());
            return e;
        }

        internal static void Log(LogType type, object message)
        {
            if (type == LogType.Error || type == LogType.Exception || type == LogType.Assert)
            {
                // Unity logs an exception as "Type: Message"; LogAssert.Expect matches that text.
                var exception = message as Exception;
                string text = exception != null ? exception.GetType().Name + ": " + exception.Message : Convert.ToString(message);
                if (UnityEngine.TestTools.LogAssert.Consume(type, text))
                    return;
                if (!UnityEngine.TestTools.LogAssert.ignoreFailingMessages)
                    Errors.Add(type + ": " + message);
                Console.Error.WriteLine("[unity " + type + "] " + message);
            }
            else if (Verbose)
            {
                Console.Error.WriteLine("[unity " + type + "] " + message);
            }
        }

        internal static void Register(GameObject go) { Objects.Add(go); }

        internal static void Send(Object target, string message)
        {
            var key = new KeyValuePair<Type, string>(target.GetType(), message);
            MethodInfo m;
            if (!Methods.TryGetValue(key, out m))
            {
                for (var t = target.GetType(); t != null && m == null; t = t.BaseType)
                    m = t.GetMethod(message, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly, null, Type.EmptyTypes, null);
                Methods[key] = m;
            }
            if (m == null) return;
            try
            {
                object result = m.Invoke(target, null);
                // IEnumerator Start() runs as a coroutine, as in Unity.
                var routine = result as IEnumerator;
                if (routine != null && target is MonoBehaviour) Start((MonoBehaviour)target, routine);
            }
            catch (TargetInvocationException e)
            {
                // Unity logs an exception from a message and carries on.
                Log(LogType.Exception, e.InnerException);
            }
        }

        internal static void PendingStart(Component c) { StartQueue.Add(c); }

        internal static void ActiveChanged(Behaviour b, bool wasActiveAndEnabled)
        {
            bool now = b.isActiveAndEnabled;
            if (now == wasActiveAndEnabled) return;
            if (now)
            {
                // Awake runs once, at the first activation.
                if (!b.awoken) { b.awoken = true; Send(b, "Awake"); PendingStart(b); }
                Send(b, "OnEnable");
            }
            else
            {
                Send(b, "OnDisable");
            }
        }

        internal static void DestroyLater(Object obj) { if (!DestroyQueue.Contains(obj)) DestroyQueue.Add(obj); }

        internal static void DestroyNow(Object obj)
        {
            if (obj.destroyed) return;
            var go = obj as GameObject;
            if (go != null)
            {
                foreach (var c in go.components.ToArray()) DestroyNow(c);
                go.destroyed = true;
                Objects.Remove(go);
                return;
            }
            var b = obj as Behaviour;
            if (b != null && b.isActiveAndEnabled) Send(b, "OnDisable");
            Send(obj, "OnDestroy");
            StopAll(obj as MonoBehaviour);
            obj.destroyed = true;
        }

        internal static Coroutine Start(MonoBehaviour owner, IEnumerator routine)
        {
            var co = new Coroutine { owner = owner };
            co.stack.Push(routine);
            Coroutines.Add(co);
            Step(co);   // Unity runs a coroutine to its first yield immediately.
            return co;
        }

        internal static void Stop(Coroutine co) { if (co != null) co.done = true; }

        internal static void StopAll(MonoBehaviour owner)
        {
            foreach (var co in Coroutines) if (ReferenceEquals(co.owner, owner)) co.done = true;
        }

        /// <summary>Runs one frame: Start, Update, coroutines, then deferred destroys.</summary>
        public static void Frame()
        {
            frame++;
            var starting = new List<Component>(StartQueue);
            StartQueue.Clear();
            foreach (var c in starting)
                if (!c.destroyed && c is Behaviour && ((Behaviour)c).isActiveAndEnabled) Send(c, "Start");
            foreach (var go in Objects.ToArray())
                foreach (var c in go.components.ToArray())
                    if (!c.destroyed && c is Behaviour && ((Behaviour)c).isActiveAndEnabled) Send(c, "Update");
            foreach (var co in Coroutines.ToArray())
                if (!co.done && Time.realtimeSinceStartup >= co.waitUntil) Step(co);
            Coroutines.RemoveAll(co => co.done);
            var dying = new List<Object>(DestroyQueue);
            DestroyQueue.Clear();
            foreach (var o in dying) DestroyNow(o);
        }

        /// <summary>Like quitting the player: OnApplicationQuit, Application.quitting, then destroy all.</summary>
        public static void Quit()
        {
            foreach (var go in Objects.ToArray())
                foreach (var c in go.components.ToArray())
                    if (!c.destroyed) Send(c, "OnApplicationQuit");
            Application.RaiseQuitting();
            foreach (var go in Objects.ToArray()) DestroyNow(go);
        }

        /// <summary>Destroys every object without quitting (between tests).</summary>
        public static void Reset()
        {
            foreach (var go in Objects.ToArray()) DestroyNow(go);
            Coroutines.Clear();
            DestroyQueue.Clear();
            StartQueue.Clear();
        }

        /// <summary>
        /// Advances a coroutine stack until it yields something that waits. Nested IEnumerators
        /// run inline, a CustomYieldInstruction is polled every frame, WaitForSeconds waits in
        /// real time. Returns false when the routine finished. Used for [UnityTest]s too.
        /// </summary>
        public static bool StepRoutine(Stack<IEnumerator> stack, ref float waitUntil)
        {
            while (stack.Count > 0)
            {
                var top = stack.Peek();
                if (!top.MoveNext())
                {
                    stack.Pop();
                    continue;
                }
                var current = top.Current;
                if (current == null) return true;
                var seconds = current as WaitForSeconds;
                if (seconds != null) { waitUntil = Time.realtimeSinceStartup + seconds.seconds; return true; }
                var nested = current as IEnumerator;   // includes CustomYieldInstruction
                if (nested != null) { stack.Push(nested); return true; }
                return true;   // other YieldInstructions: wait one frame
            }
            return false;
        }

        private static void Step(Coroutine co)
        {
            if (co.owner != null && co.owner.destroyed) { co.done = true; return; }
            try
            {
                if (!StepRoutine(co.stack, ref co.waitUntil)) co.done = true;
            }
            catch (Exception e)
            {
                co.done = true;
                Log(LogType.Exception, e);
            }
        }
    }
}

namespace UnityEngine.Events
{
    public delegate void UnityAction();
    public delegate void UnityAction<T0>(T0 arg0);
    public delegate void UnityAction<T0, T1>(T0 arg0, T1 arg1);

    [Serializable]
    public abstract class UnityEventBase
    {
        // Persistent (inspector) listeners do not exist headless.
        public int GetPersistentEventCount() { return 0; }
        public abstract void RemoveAllListeners();
    }

    [Serializable]
    public class UnityEvent : UnityEventBase
    {
        private readonly List<UnityAction> _calls = new List<UnityAction>();
        public void AddListener(UnityAction call) { _calls.Add(call); }
        public void RemoveListener(UnityAction call) { _calls.Remove(call); }
        public override void RemoveAllListeners() { _calls.Clear(); }
        public void Invoke() { foreach (var c in _calls.ToArray()) c(); }
    }

    [Serializable]
    public abstract class UnityEvent<T0> : UnityEventBase
    {
        private readonly List<UnityAction<T0>> _calls = new List<UnityAction<T0>>();
        public void AddListener(UnityAction<T0> call) { _calls.Add(call); }
        public void RemoveListener(UnityAction<T0> call) { _calls.Remove(call); }
        public override void RemoveAllListeners() { _calls.Clear(); }
        public void Invoke(T0 arg0) { foreach (var c in _calls.ToArray()) c(arg0); }
    }

    [Serializable]
    public abstract class UnityEvent<T0, T1> : UnityEventBase
    {
        private readonly List<UnityAction<T0, T1>> _calls = new List<UnityAction<T0, T1>>();
        public void AddListener(UnityAction<T0, T1> call) { _calls.Add(call); }
        public void RemoveListener(UnityAction<T0, T1> call) { _calls.Remove(call); }
        public override void RemoveAllListeners() { _calls.Clear(); }
        public void Invoke(T0 arg0, T1 arg1) { foreach (var c in _calls.ToArray()) c(arg0, arg1); }
    }
}

namespace UnityEngine.TestTools
{
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class UnityTestAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class UnitySetUpAttribute : Attribute { }

    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class UnityTearDownAttribute : Attribute { }

    public static class LogAssert
    {
        // Expected logs not yet seen, in order; like Unity's, each consumes one matching log.
        private static readonly List<KeyValuePair<LogType, System.Text.RegularExpressions.Regex>> Expected =
            new List<KeyValuePair<LogType, System.Text.RegularExpressions.Regex>>();

        public static bool ignoreFailingMessages { get; set; }

        public static void Expect(LogType type, string message)
        {
            Expect(type, new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(message) + "$"));
        }

        public static void Expect(LogType type, System.Text.RegularExpressions.Regex message)
        {
            Expected.Add(new KeyValuePair<LogType, System.Text.RegularExpressions.Regex>(type, message));
        }

        public static void NoUnexpectedReceived() { }

        /// <summary>True (and forgotten) when the log was expected.</summary>
        internal static bool Consume(LogType type, string text)
        {
            for (int i = 0; i < Expected.Count; i++)
            {
                if (Expected[i].Key == type && Expected[i].Value.IsMatch(text))
                {
                    Expected.RemoveAt(i);
                    return true;
                }
            }
            return false;
        }

        internal static List<string> TakeUnmet()
        {
            var unmet = new List<string>();
            foreach (var e in Expected)
                unmet.Add("expected " + e.Key + " log not received: " + e.Value);
            Expected.Clear();
            return unmet;
        }
    }
}

namespace AOT
{
    /// <summary>Marks a static method that native code calls back (needed under IL2CPP).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public class MonoPInvokeCallbackAttribute : Attribute
    {
        public MonoPInvokeCallbackAttribute(Type type) { }
    }
}
