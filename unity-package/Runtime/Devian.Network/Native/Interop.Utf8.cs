using System.Runtime.InteropServices;

namespace Devian.Network.Native
{
    /// <summary>The generated P/Invoke declarations of the C ABI (Interop.g.cs), and how they marshal strings.</summary>
    internal static partial class Interop
    {
        // Every string the C ABI takes is UTF-8 (the library refuses anything else with
        // InvalidUtf8). .NET marshals a plain string parameter (LPStr) with the ANSI code page on
        // Windows, which mangles non-ASCII text, so the generated imports ask for UTF-8 by name:
        // LPUTF8Str (48; older profiles lack the enum member). Unity's Mono and IL2CPP marshal
        // LPStr as UTF-8 on every platform already, and that is what Unity builds keep.
#if UNITY_5_3_OR_NEWER
        internal const UnmanagedType Utf8 = UnmanagedType.LPStr;
#else
        internal const UnmanagedType Utf8 = (UnmanagedType)48;
#endif
    }
}
