using System.Runtime.CompilerServices;

// The package's play-mode tests exercise the main-thread inbox directly.
[assembly: InternalsVisibleTo("Devian.Network.Tests")]
