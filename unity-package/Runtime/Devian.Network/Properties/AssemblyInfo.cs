using System.Runtime.CompilerServices;

// The test suite drives WebSocketClient over a scripted in-memory transport.
[assembly: InternalsVisibleTo("Devian.Network.Tests")]
