using System;

namespace Devian.Network.Tests
{
    /// <summary>Raised by <see cref="Check"/> when an expectation does not hold.</summary>
    internal sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message) { }
    }

    /// <summary>Minimal assertions for the self-made runner.</summary>
    internal static class Check
    {
        public static void True(bool condition, string what)
        {
            if (!condition)
            {
                throw new AssertionException("expected true: " + what);
            }
        }

        public static void Equal<T>(T expected, T actual, string what)
        {
            if (!Equals(expected, actual))
            {
                throw new AssertionException(what + ": expected <" + expected + "> but got <" + actual + ">");
            }
        }

        public static void BytesEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
        {
            if (!expected.SequenceEqual(actual))
            {
                throw new AssertionException(what + ": byte sequences differ (lengths " + expected.Length + " and " + actual.Length + ")");
            }
        }

        /// <summary>Runs <paramref name="action"/> and returns the exception of exactly type <typeparamref name="T"/> it throws.</summary>
        public static T Throws<T>(Action action, string what) where T : Exception
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                if (ex.GetType() == typeof(T))
                {
                    return (T)ex;
                }
                throw new AssertionException(what + ": expected " + typeof(T).Name + " but got " + ex.GetType().Name + ": " + ex.Message);
            }
            throw new AssertionException(what + ": expected " + typeof(T).Name + " but nothing was thrown");
        }

        public static void NoThrow(Action action, string what)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                throw new AssertionException(what + ": expected no exception but got " + ex.GetType().Name + ": " + ex.Message);
            }
        }
    }
}
