// Compile-only stand-ins for the Unity.Collections types that live in UnityEngine.CoreModule
// (no Collections package needed). The generated P/Invoke layer (Interop.g.cs) imports these
// namespaces under UNITY_2018_1_OR_NEWER. Never run, never shipped.
using System;

namespace Unity.Collections
{
    public enum Allocator { Invalid = 0, None = 1, Temp = 2, TempJob = 3, Persistent = 4 }

    public struct NativeArray<T> : IDisposable where T : struct
    {
        public int Length { get { return 0; } }
        public void Dispose() { }
    }
}

namespace Unity.Collections.LowLevel.Unsafe
{
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class NativeDisableUnsafePtrRestrictionAttribute : Attribute { }

    public static class NativeArrayUnsafeUtility
    {
        public static unsafe void* GetUnsafePtr<T>(Unity.Collections.NativeArray<T> nativeArray) where T : struct { return null; }
        public static unsafe void* GetUnsafeReadOnlyPtr<T>(Unity.Collections.NativeArray<T> nativeArray) where T : struct { return null; }
    }
}
