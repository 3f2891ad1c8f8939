using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;

namespace Devian.Network.Tests
{
    /// <summary>One named test. Bodies are static methods: no reflection, so the runner works under full AOT.</summary>
    internal sealed class TestCase
    {
        public TestCase(string category, string name, Action body)
        {
            Category = category;
            Name = name;
            Body = body;
        }

        public string Category { get; }
        public string Name { get; }
        public Action Body { get; }
    }

    /// <summary>
    /// The one C# test runner (NUnit is awkward under full AOT), shared by the suite here and the
    /// WebGL transport tests. It finds the test classes itself: every type in the assembly with a
    /// static <c>Register(List&lt;TestCase&gt;)</c> adds its cases, and a static <c>Cleanup()</c> on such a
    /// type runs after all of them. Usage: <c>mono Tests.exe [category|all] [name-substring]</c>.
    /// Prints one line per test and a final line <c>N passed, N failed</c>; exit code 1 on failure
    /// or when nothing ran.
    /// </summary>
    internal static class TestRunner
    {
        private static int Main(string[] args)
        {
            string category = args.Length > 0 ? args[0] : "all";
            string filter = args.Length > 1 ? args[1] : null;

            var tests = new List<TestCase>();
            var cleanups = new List<MethodInfo>();
            Type[] types = typeof(TestRunner).Assembly.GetTypes();
            Array.Sort(types, (a, b) => string.CompareOrdinal(a.FullName, b.FullName));
            foreach (Type type in types)
            {
                const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
                MethodInfo register = type.GetMethod("Register", Static, null, new[] { typeof(List<TestCase>) }, null);
                if (register == null)
                {
                    continue;
                }
                register.Invoke(null, new object[] { tests });
                MethodInfo cleanup = type.GetMethod("Cleanup", Static, null, Type.EmptyTypes, null);
                if (cleanup != null)
                {
                    cleanups.Add(cleanup);
                }
            }

            int passed = 0;
            int failed = 0;
            foreach (TestCase test in tests)
            {
                if (category != "all" && test.Category != category)
                {
                    continue;
                }
                if (filter != null && test.Name.IndexOf(filter, StringComparison.OrdinalIgnoreCase) < 0)
                {
                    continue;
                }
                var watch = Stopwatch.StartNew();
                try
                {
                    test.Body();
                    passed++;
                    Console.WriteLine("ok   {0} ({1} ms)", test.Name, watch.ElapsedMilliseconds);
                }
                catch (Exception ex)
                {
                    failed++;
                    Console.WriteLine("FAIL {0} ({1} ms)\n     {2}", test.Name, watch.ElapsedMilliseconds, ex.ToString().Replace("\n", "\n     "));
                }
                Console.Out.Flush();
            }
            foreach (MethodInfo cleanup in cleanups)
            {
                cleanup.Invoke(null, null);
            }
            Console.WriteLine("{0} passed, {1} failed", passed, failed);
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    }
}
