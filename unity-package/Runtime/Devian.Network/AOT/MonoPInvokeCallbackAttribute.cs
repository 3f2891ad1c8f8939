#if !UNITY_5_3_OR_NEWER
using System;

namespace AOT
{
    /// <summary>
    /// Marks a static method that native code calls back into. Full-AOT Mono and IL2CPP only
    /// generate a reverse P/Invoke wrapper for methods carrying this attribute; Unity defines it
    /// itself, so it is only declared here outside Unity.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class MonoPInvokeCallbackAttribute : Attribute
    {
        /// <summary>Declares the delegate type the method is called through.</summary>
        public MonoPInvokeCallbackAttribute(Type delegateType)
        {
            DelegateType = delegateType;
        }

        /// <summary>The delegate type the method is called through.</summary>
        public Type DelegateType { get; }
    }
}
#endif
