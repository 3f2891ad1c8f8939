"""The one table of native targets: what each is built with, what file it makes, where that file
goes in the Unity package, how Unity imports it, and what it is meant to run on.

scripts/build-native builds and checks them, scripts/sync-unity writes their .metas from it,
scripts/package-unity and scripts/package-nuget ship them, and tests/unity/check_package.py holds
both packages to it.
Python 3 standard library only.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """One native plugin (or test-only build) of libdevian_ws.

    Invariant: a target with a `slot` ships in the Unity package, and `players`/`editor` say
    which Unity platforms import it; a target without one is built only to run tests on its CPU.
    """

    name: str
    # Rust target triples; more than one are merged into one universal file (macOS).
    triples: tuple
    # How it is built: host | gnu-cross | mingw | apple | android | webgl.
    toolchain: str
    # File name cargo writes for each triple.
    artifact: str
    # Package-relative path of the shipped file, or None (test-only target).
    slot: str = None
    # .NET runtime identifiers it ships under in the NuGet package (runtimes/<rid>/native/), if any.
    nuget_rids: tuple = ()
    # Unity PluginImporter: player platformData key -> settings; editor (OS, CPU) or None.
    players: dict = field(default_factory=dict)
    editor: tuple = None
    # Minimum OS version per triple (Apple, Android API level); None: the toolchain's default.
    min_os: dict = field(default_factory=dict)
    # What the plugin is meant for (`scripts/build-native` lists it; the package README says the same).
    meant_for: str = ""
    # What runs it on this machine (scripts/build-native run), or None.
    runs_here: str = None


# Debian's mingw-w64 gcc and the Linux cross gccs: (linker/C compiler, ar, qemu runner).
GNU_CROSS = {
    "x86_64-pc-windows-gnu": ("x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-ar", None),
    "aarch64-unknown-linux-gnu": ("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-ar",
                                  "qemu-aarch64 -L /usr/aarch64-linux-gnu"),
    "armv7-unknown-linux-gnueabihf": ("arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf-ar",
                                      "qemu-arm -L /usr/arm-linux-gnueabihf"),
}

# Android API level: Unity 2021.3 through Unity 6 accept 22+ (6000.0: 23+); 21 costs nothing.
ANDROID_API = 21
# Zig target and extra compile flags per Android triple. armeabi-v7a's baseline is ARMv7-A with
# Thumb-2 and VFPv3-D16, no NEON, and the softfp calling convention; Zig must be told, or it
# enables NEON and 32 FP registers.
ANDROID_ZIG = {
    "aarch64-linux-android": ("aarch64-linux-android", []),
    "armv7-linux-androideabi": ("arm-linux-androideabi",
                                ["-mcpu=generic+v7a+thumb2+vfp3d16-neon-d32", "-mfloat-abi=softfp"]),
}

TARGETS = [
    Target(
        name="linux-x86_64",
        triples=("x86_64-unknown-linux-gnu",),
        toolchain="host",
        artifact="libdevian_ws.so",
        slot="Runtime/Plugins/x86_64/libdevian_ws.so",
        nuget_rids=("linux-x64",),
        players={"Standalone: Linux64": {"CPU": "x86_64"}},
        editor=("Linux", "x86_64"),
        meant_for="Linux editor and player, x86_64, glibc 2.17+ (Ubuntu 18.04+)",
        runs_here="every test stage",
    ),
    Target(
        name="windows-x86_64",
        triples=("x86_64-pc-windows-gnu",),
        toolchain="mingw",
        artifact="devian_ws.dll",
        slot="Runtime/Plugins/x86_64/devian_ws.dll",
        nuget_rids=("win-x64",),
        players={"Standalone: Win64": {"CPU": "x86_64"}},
        editor=("Windows", "x86_64"),
        meant_for="Windows editor and player, x86_64, Windows 10+",
        runs_here="an echo session under Wine (tests/unity/native_smoke.c)",
    ),
    Target(
        name="macos-universal",
        triples=("x86_64-apple-darwin", "aarch64-apple-darwin"),
        toolchain="apple",
        artifact="libdevian_ws.dylib",
        slot="Runtime/Plugins/macOS/libdevian_ws.dylib",
        # One universal file serves both identifiers.
        nuget_rids=("osx-x64", "osx-arm64"),
        players={"Standalone: OSXUniversal": {"CPU": "AnyCPU"}},
        editor=("OSX", "AnyCPU"),
        # x86_64: Unity 2021.3's player minimum; arm64: the first macOS on Apple silicon.
        min_os={"x86_64-apple-darwin": "10.13", "aarch64-apple-darwin": "11.0"},
        meant_for="macOS editor and player, universal (Intel x86_64 10.13+, Apple silicon arm64 11.0+)",
    ),
    Target(
        name="ios-arm64",
        triples=("aarch64-apple-ios",),
        toolchain="apple",
        artifact="libdevian_ws.a",
        slot="Runtime/Plugins/iOS/libdevian_ws.a",
        players={
            "iPhone: iOS": {
                "AddToEmbeddedBinaries": "false",
                "CPU": "AnyCPU",
                "CompileFlags": "",
                # No framework: getrandom uses CCRandomGenerateBytes (libSystem) on iOS, and the
                # trust roots are compiled in (webpki-roots), so Security.framework is not needed.
                "FrameworkDependencies": "",
            }
        },
        min_os={"aarch64-apple-ios": "13.0"},
        meant_for="iOS IL2CPP player, arm64 devices, iOS 13+ (static library, linked by Xcode)",
    ),
    Target(
        name="android-arm64-v8a",
        triples=("aarch64-linux-android",),
        toolchain="android",
        artifact="libdevian_ws.so",
        slot="Runtime/Plugins/Android/libs/arm64-v8a/libdevian_ws.so",
        nuget_rids=("android-arm64",),
        players={"Android: Android": {"AndroidSharedLibraryType": "Executable", "CPU": "ARM64"}},
        min_os={"aarch64-linux-android": str(ANDROID_API)},
        meant_for=f"Android IL2CPP player, arm64-v8a, API {ANDROID_API}+ (16 KiB pages ready)",
    ),
    Target(
        name="android-armeabi-v7a",
        triples=("armv7-linux-androideabi",),
        toolchain="android",
        artifact="libdevian_ws.so",
        slot="Runtime/Plugins/Android/libs/armeabi-v7a/libdevian_ws.so",
        nuget_rids=("android-arm",),
        players={"Android: Android": {"AndroidSharedLibraryType": "Executable", "CPU": "ARMv7"}},
        min_os={"armv7-linux-androideabi": str(ANDROID_API)},
        meant_for=f"Android IL2CPP player, armeabi-v7a, API {ANDROID_API}+",
    ),
    Target(
        name="webgl",
        triples=("wasm32-unknown-unknown",),
        toolchain="webgl",
        artifact="devian_ws_webgl_bg.wasm",
        # Hidden from Unity's importer (~): the Editor's WebGL post-build step copies the module
        # (with its wasm-bindgen glue and loader) into the build's StreamingAssets.
        slot="WebGL~/devian-ws/devian_ws_webgl_bg.wasm",
        meant_for="WebGL player, any browser with WebAssembly and WebSocket",
        runs_here="headless Chromium (the webgl test stage)",
    ),
    Target(
        name="linux-aarch64",
        triples=("aarch64-unknown-linux-gnu",),
        toolchain="gnu-cross",
        artifact="libdevian_ws.so",
        meant_for="tests only: the ARM64 code paths of Android arm64-v8a and iOS",
        runs_here="the native test suites under qemu-aarch64",
    ),
    Target(
        name="linux-armv7",
        triples=("armv7-unknown-linux-gnueabihf",),
        toolchain="gnu-cross",
        artifact="libdevian_ws.so",
        meant_for="tests only: the 32-bit ARM code paths of Android armeabi-v7a",
        runs_here="the native test suites under qemu-arm",
    ),
]

BY_NAME = {t.name: t for t in TARGETS}


def packaged():
    """The targets that ship a file in the Unity package, in table order."""
    return [t for t in TARGETS if t.slot]


def nuget():
    """The targets that ship in the NuGet package, in table order. iOS is not among them: its
    static library is linked by Unity's Xcode project, and .NET for iOS has no runtimes/ rule
    for static archives."""
    return [t for t in TARGETS if t.nuget_rids]


def unity_plugins():
    """The packaged targets Unity imports as native plugins (each has a PluginImporter .meta)."""
    return [t for t in packaged() if t.players]
