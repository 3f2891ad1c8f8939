using System;
using System.Collections.Generic;
using System.Diagnostics;

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
    /// A small test runner (NUnit is awkward under full AOT). Usage:
    /// <c>mono Devian.Network.Tests.exe [unit|e2e|all] [name-substring]</c>.
    /// Prints one line per test and a final line <c>N passed, N failed</c>; exit code 1 on failure.
    /// </summary>
    internal static class TestRunner
    {
        private static int Main(string[] args)
        {
            string category = args.Length > 0 ? args[0] : "all";
            string filter = args.Length > 1 ? args[1] : null;

            var tests = new List<TestCase>();
            FrameV1Tests.Register(tests);
            NetworkClientTests.Register(tests);
            WebSocketClientTests.Register(tests);
            EndToEndTests.Register(tests);
            HandshakeOptionsTests.Register(tests);
            TlsTests.Register(tests);

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
            TlsTests.Cleanup();
            Console.WriteLine("{0} passed, {1} failed", passed, failed);
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    }
}
