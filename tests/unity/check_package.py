#!/usr/bin/env python3
"""Static checks of the Unity package (unity-package/), of its tarball, and of the NuGet layout.

  check_package.py package          package.json, asmdefs, .metas and GUIDs, plugin importers,
                                    one C# tree (the .csproj compiles the package's), README, .gitignore
  check_package.py tarball FILE     the .tgz from scripts/package-unity holds what Unity needs
  check_package.py tarball --release FILE
                                    ... and, as a release must, the plugin of every packaged
                                    target of scripts/lib/native_targets.py
  check_package.py nuget DIR        the NuGet layout from scripts/package-nuget (DIR/runtimes, and
                                    any .nupkg in DIR): each file where the table says, of the
                                    right format and CPU, and the csproj packs it
  check_package.py nuget --release DIR
                                    ... and every NuGet target's library is there

Prints one line per check ("ok - ..." or "FAIL - ...: why") and a final "N passed, N failed";
exits 1 if anything failed. Python 3 standard library only.
"""

import hashlib
import importlib.machinery
import importlib.util
import json
import re
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "unity-package"


def _load_sync():
    """scripts/sync-unity is the single source of the plugin table and GUID rule."""
    path = ROOT / "scripts" / "sync-unity"
    loader = importlib.machinery.SourceFileLoader("sync_unity", str(path))
    spec = importlib.util.spec_from_loader("sync_unity", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


sync = _load_sync()

# semver.org 2.0.0, the regular expression the spec recommends.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
UNITY_VERSION = re.compile(r"^(20\d\d|[5-9]|[1-9]\d{3})\.\d+$")   # "2021.3"
UNITY_RELEASE = re.compile(r"^\d+[abfp]\d+$")                    # "8f1"
# UPM: lowercase reverse-domain name, at most 214 characters.
PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){2,}$")
GUID = re.compile(r"^guid: ([0-9a-f]{32})$", re.M)
UNITY_ASSEMBLIES = {"UnityEngine.TestRunner", "UnityEditor.TestRunner"}


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems):
        """`problems`: list of strings; empty means the check passed."""
        if problems:
            self.failed += 1
            shown = problems[:10]
            more = f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""
            print(f"FAIL - {name}: " + "; ".join(shown) + more)
        else:
            self.passed += 1
            print(f"ok - {name}")

    def summary(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def _load_json(path, problems):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        problems.append(f"{path.relative_to(ROOT)}: {e}")
        return None


def check_package_json(r):
    problems = []
    pj = _load_json(PKG / "package.json", problems)
    if pj is None:
        r.check("package.json", problems)
        return None
    for field in ("name", "version", "displayName", "description", "unity", "keywords", "author", "license"):
        if field not in pj:
            problems.append(f"missing {field}")
    name = pj.get("name", "")
    if name != sync.PACKAGE_NAME:
        problems.append(f"name {name!r} is not {sync.PACKAGE_NAME!r}")
    if not PACKAGE_NAME.match(name) or len(name) > 214:
        problems.append(f"name {name!r} is not a lowercase reverse-domain UPM name")
    if not SEMVER.match(str(pj.get("version", ""))):
        problems.append(f"version {pj.get('version')!r} is not semver")
    if not UNITY_VERSION.match(str(pj.get("unity", ""))):
        problems.append(f"unity {pj.get('unity')!r} is not a Unity version like 2021.3")
    if "unityRelease" in pj and not UNITY_RELEASE.match(str(pj["unityRelease"])):
        problems.append(f"unityRelease {pj['unityRelease']!r} is not like 8f1")
    for field in ("displayName", "description", "license"):
        if not isinstance(pj.get(field), str) or not pj.get(field, "").strip():
            problems.append(f"{field} must be a non-empty string")
    kw = pj.get("keywords")
    if not isinstance(kw, list) or not kw or not all(isinstance(k, str) and k for k in kw):
        problems.append("keywords must be a non-empty list of strings")
    author = pj.get("author")
    if not (isinstance(author, str) and author) and not (isinstance(author, dict) and author.get("name")):
        problems.append("author must be a string or an object with a name")
    for i, sample in enumerate(pj.get("samples", [])):
        for field in ("displayName", "description", "path"):
            if not sample.get(field):
                problems.append(f"samples[{i}] lacks {field}")
        path = sample.get("path", "")
        if not path.startswith("Samples~/") or not (PKG / path).is_dir():
            problems.append(f"samples[{i}].path {path!r} is not a folder under Samples~/")
    if not pj.get("samples"):
        problems.append("no samples entry")
    r.check("package.json fields and formats", problems)

    changelog = (PKG / "CHANGELOG.md").read_text(encoding="utf-8") if (PKG / "CHANGELOG.md").is_file() else ""
    r.check(
        "CHANGELOG.md has an entry for the package version",
        [] if f"## [{pj.get('version')}]" in changelog else [f"no '## [{pj.get('version')}]' heading"],
    )
    license_text = (PKG / "LICENSE.md").read_text(encoding="utf-8") if (PKG / "LICENSE.md").is_file() else ""
    r.check(
        "LICENSE.md is the MIT license named in package.json",
        [] if "MIT License" in license_text and pj.get("license") == "MIT" else ["LICENSE.md missing or not MIT"],
    )
    return pj


def check_asmdefs(r):
    problems = []
    asmdefs = {}
    for path in sorted(PKG.rglob("*.asmdef")):
        rel = path.relative_to(PKG).as_posix()
        data = _load_json(path, problems)
        if data is None:
            continue
        if not isinstance(data.get("name"), str) or not data["name"]:
            problems.append(f"{rel}: no name")
            continue
        if data["name"] in {a["name"] for a in asmdefs.values()}:
            problems.append(f"{rel}: duplicate assembly name {data['name']}")
        for list_field in ("references", "includePlatforms", "excludePlatforms", "precompiledReferences", "defineConstraints"):
            if list_field in data and not isinstance(data[list_field], list):
                problems.append(f"{rel}: {list_field} must be a list")
        if data.get("includePlatforms") and data.get("excludePlatforms"):
            problems.append(f"{rel}: includePlatforms and excludePlatforms are exclusive")
        asmdefs[rel] = data
    names = {a["name"] for a in asmdefs.values()}
    for rel, data in asmdefs.items():
        for ref in data.get("references", []):
            if ref not in names and ref not in UNITY_ASSEMBLIES and not ref.startswith("GUID:"):
                problems.append(f"{rel}: unknown reference {ref}")
    r.check("asmdefs are valid JSON with unique names and known references", problems)

    def expect(rel, what, ok):
        return [] if ok else [f"{rel}: {what}"]

    runtime = asmdefs.get("Runtime/Devian.Network.asmdef", {})
    editor = asmdefs.get("Editor/Devian.Network.Editor.asmdef", {})
    tests = asmdefs.get("Tests/Runtime/Devian.Network.Tests.asmdef", {})
    p = []
    p += expect("Runtime", "missing", runtime)
    p += expect("Runtime", "allowUnsafeCode must be true (generated P/Invoke layer)", runtime.get("allowUnsafeCode") is True)
    p += expect("Runtime", "must not be editor-only", not runtime.get("includePlatforms"))
    p += expect("Runtime", "must reference no other assembly", runtime.get("references") == [])
    r.check("Runtime asmdef: unsafe code, all platforms", p)
    p = []
    p += expect("Editor", "missing", editor)
    p += expect("Editor", "includePlatforms must be [\"Editor\"]", editor.get("includePlatforms") == ["Editor"])
    p += expect("Editor", "must reference the Runtime assembly", runtime.get("name") in editor.get("references", []))
    r.check("Editor asmdef: editor only, references Runtime", p)
    p = []
    p += expect("Tests", "missing", tests)
    p += expect("Tests", "defineConstraints must hold UNITY_INCLUDE_TESTS", "UNITY_INCLUDE_TESTS" in tests.get("defineConstraints", []))
    p += expect("Tests", "must use nunit.framework.dll", "nunit.framework.dll" in tests.get("precompiledReferences", []))
    p += expect("Tests", "overrideReferences must be true for precompiledReferences", tests.get("overrideReferences") is True)
    p += expect("Tests", "must reference UnityEngine.TestRunner", "UnityEngine.TestRunner" in tests.get("references", []))
    p += expect("Tests", "must reference the Runtime assembly", runtime.get("name") in tests.get("references", []))
    p += expect("Tests", "must not be auto-referenced", tests.get("autoReferenced") is False)
    r.check("Tests asmdef: UNITY_INCLUDE_TESTS, NUnit, TestRunner", p)


def _package_entries(base):
    """(rel, is_dir) for every entry under `base` that is not a .meta."""
    out = []
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix()
        if not rel.endswith(".meta"):
            out.append((rel, path.is_dir()))
    return out


def check_metas(r):
    missing, bad, wrong_guid, orphans, folder = [], [], [], [], []
    seen = {}
    plugin_slots = sync.plugin_paths()
    for rel, is_dir in _package_entries(PKG):
        if not sync.needs_meta(rel):
            continue
        meta = PKG / (rel + ".meta")
        if not meta.is_file():
            missing.append(rel)
    for meta in sorted(PKG.rglob("*.meta")):
        rel = meta.relative_to(PKG).as_posix()
        asset = rel[: -len(".meta")]
        text = meta.read_text(encoding="utf-8")
        m = GUID.search(text)
        if not text.startswith("fileFormatVersion: 2\n") or not m:
            bad.append(rel)
            continue
        guid = m.group(1)
        if guid in seen:
            bad.append(f"{rel} repeats the GUID of {seen[guid]}")
        seen[guid] = rel
        if guid != sync.guid_for(asset):
            wrong_guid.append(rel)
        if not (PKG / asset).exists() and asset not in plugin_slots:
            orphans.append(rel)
        if (PKG / asset).is_dir() and "folderAsset: yes" not in text:
            folder.append(rel)
        if not sync.needs_meta(asset):
            orphans.append(f"{rel} (Unity ignores its asset)")
    r.check("every file and folder has a .meta", [f"no .meta for {m}" for m in missing])
    r.check("every .meta is well formed and every GUID is unique", bad)
    r.check("GUIDs are the deterministic md5 of the package path", wrong_guid)
    r.check("no orphan .meta (except native plugin slots)", orphans + [f"{f} lacks folderAsset" for f in folder])
    return len(seen)


def _enabled_platforms(meta_text):
    """Platforms a PluginImporter .meta enables: {'Editor: Editor', 'Standalone: Linux64', ...}."""
    enabled = {}
    blocks = re.split(r"\n  - first:\n", meta_text)
    for block in blocks[1:]:
        m = re.match(r"\s+([^\n]*?)\s*\n    second:\n      enabled: (\d)", block)
        if m:
            enabled[m.group(1).strip()] = m.group(2) == "1"
    return {k for k, v in enabled.items() if v}, _block_settings(blocks)


def _block_settings(blocks):
    settings = {}
    for block in blocks[1:]:
        key = block.split("\n", 1)[0].strip()
        settings[key] = dict(re.findall(r"\n        ([A-Za-z ]+): ([^\n]*)", block))
    return settings


def check_plugins(r):
    problems = []
    for plugin in sync.PLUGINS:
        rel = plugin["path"]
        meta = PKG / (rel + ".meta")
        if not meta.is_file():
            problems.append(f"{rel}: no .meta")
            continue
        text = meta.read_text(encoding="utf-8")
        if "PluginImporter:" not in text:
            problems.append(f"{rel}: not a PluginImporter")
            continue
        enabled, settings = _enabled_platforms(text)
        want = set(plugin["platforms"])
        if plugin["editor"]:
            want.add("Editor: Editor")
        if enabled != want:
            problems.append(f"{rel}: enables {sorted(enabled)}, expected {sorted(want)}")
        for platform, expected in plugin["platforms"].items():
            got = settings.get(platform, {})
            for k, v in expected.items():
                if got.get(k, "").strip() != v:
                    problems.append(f"{rel}: {platform} {k} is {got.get(k)!r}, expected {v!r}")
        if plugin["editor"]:
            os_, cpu = plugin["editor"]
            ed = settings.get("Editor: Editor", {})
            if ed.get("OS") != os_ or ed.get("CPU") != cpu:
                problems.append(f"{rel}: editor OS/CPU {ed.get('OS')}/{ed.get('CPU')}, expected {os_}/{cpu}")
    webgl_dir = PKG / sync.WEBGL_DEST_REL
    webgl_files = [f for f in webgl_dir.iterdir() if f.name.endswith(sync.WEBGL_PLUGIN_SUFFIXES)] if webgl_dir.is_dir() else []
    for jslib in sorted(webgl_files):
        rel = jslib.relative_to(PKG).as_posix()
        meta = PKG / (rel + ".meta")
        enabled = _enabled_platforms(meta.read_text(encoding="utf-8"))[0] if meta.is_file() else None
        if enabled != {"WebGL: WebGL"}:
            problems.append(f"{rel}: must be enabled for WebGL only, is {enabled}")
    r.check("native plugin importers target exactly their platform and CPU", problems)


def check_sync(r):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "sync-unity"), "--check"],
        capture_output=True, text=True, timeout=120,
    )
    lines = [l for l in proc.stdout.splitlines() if l.startswith("out of date")]
    problems = lines or ([proc.stdout.strip() + proc.stderr.strip()] if proc.returncode else [])
    r.check("every package file has its .meta and every .meta its file (scripts/sync-unity --check)", problems)


def check_one_tree(r):
    """The package is the one home of the C# and the .jslib: the .csproj compiles exactly the
    package's Runtime/Devian.Network, and no tracked .cs or .jslib exists twice in the repo."""
    problems = []
    sys.path.insert(0, str(ROOT / "scripts" / "lib"))
    from csharp_sources import sources  # the list every mcs build uses

    compiled = {Path(p) for p in sources(ROOT / "csharp-bindings" / "Devian.Network.csproj")}
    tree = {p.resolve() for p in (PKG / sync.CS_DEST_REL).rglob("*.cs")}
    for p in sorted(tree - compiled):
        problems.append(f"not compiled by Devian.Network.csproj: {p.relative_to(ROOT)}")
    for p in sorted(compiled - tree):
        problems.append(f"compiled from outside the package: {p.relative_to(ROOT)}")
    tracked = subprocess.run(
        ["git", "ls-files", "*.cs", "*.jslib"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    seen = {}
    for rel in tracked:
        path = ROOT / rel
        if not path.is_file():
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            problems.append(f"{rel} is a copy of {seen[digest]}")
        seen.setdefault(digest, rel)
    r.check("one C# tree: the .csproj compiles the package's sources, no .cs or .jslib exists twice", problems)


def check_gitignore(r):
    problems = []
    for plugin in sync.PLUGINS:
        path = "unity-package/" + plugin["path"]
        proc = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index", path], timeout=30)
        if proc.returncode != 0:
            problems.append(f"{path} is not git-ignored")
        proc = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index", path + ".meta"], timeout=30)
        if proc.returncode == 0:
            problems.append(f"{path}.meta is git-ignored but must be committed")
    r.check("native binaries are git-ignored, their .metas are not", problems)


def check_readme(r):
    readme = (PKG / "README.md").read_text(encoding="utf-8") if (PKG / "README.md").is_file() else ""
    problems = []
    for needle, why in (
        ("?path=/unity-package", "git URL install"),
        (".tgz", "tarball install"),
        ("Add package from tarball", "tarball install steps"),
        ("unverified", "which platforms are unverified"),
    ):
        if needle not in readme:
            problems.append(f"README.md lacks {why} ({needle!r})")
    r.check("README documents installation and platform status", problems)


def check_tarball(r, tgz):
    problems = []
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            members = {m.name.rstrip("/"): m for m in tar.getmembers()}
            pj_member = members.get("package/package.json")
            pj = json.load(tar.extractfile(pj_member)) if pj_member else None
    except (OSError, tarfile.TarError, ValueError) as e:
        r.check("tarball opens", [str(e)])
        return
    r.check("tarball opens", [])
    names = set(members)
    bad_top = sorted(n for n in names if n != "package" and not n.startswith("package/"))
    unsafe = sorted(n for n, m in members.items() if n.startswith("/") or ".." in n.split("/") or m.issym() or m.islnk())
    r.check("every entry is under package/ (npm pack layout), no links or absolute paths", bad_top + unsafe)
    if pj is None or pj.get("name") != sync.PACKAGE_NAME:
        problems.append("package/package.json missing or misnamed")
    elif not Path(tgz).name == f"{sync.PACKAGE_NAME}-{pj.get('version')}.tgz":
        problems.append(f"file name {Path(tgz).name} does not match the version {pj.get('version')}")
    for required in (
        "package/Runtime/Devian.Network.asmdef",
        "package/Runtime/Devian.Network.asmdef.meta",
        "package/Editor/Devian.Network.Editor.asmdef",
        "package/Runtime/Unity/WebSocketBehaviour.cs",
        "package/Runtime/Devian.Network/Transports/WebSocketClient.cs",
        "package/Runtime/Devian.Network/Native/Interop.g.cs",
        "package/Samples~/EchoSample/EchoSample.cs",
        "package/README.md",
        "package/CHANGELOG.md",
        "package/LICENSE.md",
        "package/Runtime/Plugins/x86_64/libdevian_ws.so",
        "package/Runtime/Plugins/x86_64/libdevian_ws.so.meta",
    ):
        if required not in names:
            problems.append(f"missing {required}")
    r.check("tarball holds package.json, sources, samples, docs and the Linux plugin", problems)

    problems = []
    for name in sorted(names):
        rel = name[len("package/"):]
        if not rel or rel.endswith(".meta") or not sync.needs_meta(rel):
            continue
        if name + ".meta" not in names:
            problems.append(f"no .meta for {rel}")
    for name in sorted(names):
        if name.endswith(".meta") and name[: -len(".meta")] not in names:
            problems.append(f"orphan {name} (plugin .metas ship only with their binary)")
    r.check("tarball: every asset has its .meta and no .meta is orphaned", problems)

    so = members.get("package/Runtime/Plugins/x86_64/libdevian_ws.so")
    problems = []
    if so is not None:
        with tarfile.open(tgz, "r:gz") as tar:
            head = tar.extractfile(so).read(20)
        # ELF, 64-bit, little-endian, e_machine 62 (x86-64).
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1 or int.from_bytes(head[18:20], "little") != 62:
            problems.append("libdevian_ws.so is not an x86-64 ELF shared object")
    else:
        problems.append("no Linux plugin")
    r.check("Linux plugin in the tarball is an x86-64 ELF", problems)


def check_release_plugins(r, tgz):
    """A release tarball holds every packaged target's file (and its .meta when Unity imports it)."""
    sys.path.insert(0, str(ROOT / "scripts" / "lib"))
    from native_targets import packaged

    with tarfile.open(tgz, "r:gz") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()}
    for t in packaged():
        problems = [] if f"package/{t.slot}" in names else [f"no package/{t.slot}"]
        if t.players and f"package/{t.slot}.meta" not in names:
            problems.append(f"no package/{t.slot}.meta")
        r.check(f"release tarball ships the {t.name} plugin", problems)


# (ELF e_machine or Mach-O/PE check) per .NET runtime identifier: what the file must be.
ELF_MACHINE = {"linux-x64": 62, "android-arm64": 183, "android-arm": 40}


def _binary_problem(rid, head):
    """Why `head` (a file's first bytes) is not a native library for `rid`, or None."""
    if rid in ELF_MACHINE:
        if head[:4] != b"\x7fELF" or int.from_bytes(head[18:20], "little") != ELF_MACHINE[rid]:
            return f"not an ELF for machine {ELF_MACHINE[rid]}"
    elif rid == "win-x64":
        pe = int.from_bytes(head[0x3C:0x40], "little") if head[:2] == b"MZ" else -1
        if pe < 0 or head[pe:pe + 4] != b"PE\0\0" or int.from_bytes(head[pe + 4:pe + 6], "little") != 0x8664:
            return "not an AMD64 PE"
    elif rid.startswith("osx-"):
        # The universal file (fat header, big-endian magic) serves both identifiers.
        if head[:4] != b"\xca\xfe\xba\xbe":
            return "not a universal Mach-O"
    else:
        return "no format rule for this identifier"
    return None


def check_nuget(r, folder, release):
    sys.path.insert(0, str(ROOT / "scripts" / "lib"))
    from native_targets import nuget

    want = {f"runtimes/{rid}/native/{t.artifact}": rid for t in nuget() for rid in t.nuget_rids}
    base = Path(folder)
    staged = sorted(str(p.relative_to(base)) for p in (base / "runtimes").rglob("*") if p.is_file())
    r.check("NuGet layout: every staged file is a table target's, under its runtime identifier",
            [f"unexpected {f}" for f in staged if f not in want])
    problems = []
    for rel in staged:
        if rel in want:
            why = _binary_problem(want[rel], (base / rel).read_bytes()[:4096])
            if why:
                problems.append(f"{rel}: {why}")
    r.check("NuGet layout: each library has its identifier's format and CPU", problems)
    r.check("NuGet layout holds the Linux library",
            [] if "runtimes/linux-x64/native/libdevian_ws.so" in staged else ["no linux-x64 library"])
    if release:
        r.check("NuGet release layout holds every NuGet target's library",
                [f"missing {f}" for f in sorted(want) if f not in staged])

    problems = []
    proj = ET.parse(ROOT / "csharp-bindings" / "Devian.Network.csproj").getroot()
    props = {e.tag: (e.text or "").strip() for g in proj.findall("PropertyGroup") for e in g}
    for key, value in (("TargetFramework", "netstandard2.1"), ("PackageId", "Devian.Network"),
                       ("AssemblyName", "Devian.Network")):
        if props.get(key) != value:
            problems.append(f"{key} is {props.get(key)!r}, not {value!r}")
    packs = [n.attrib for g in proj.findall("ItemGroup") for n in g.findall("None")]
    staged_dir = (ROOT / "dist" / "nuget" / "runtimes").resolve()
    if not any(a.get("Pack") == "true" and a.get("PackagePath") == "runtimes"
               and (ROOT / "csharp-bindings" / a.get("Include", "").split("**")[0]).resolve() == staged_dir
               for a in packs):
        problems.append("no <None Include=\"../dist/nuget/runtimes/**/*\" Pack=\"true\" PackagePath=\"runtimes\"/>")
    r.check("the csproj packs the staged runtimes/ as a netstandard2.1 Devian.Network package", problems)

    for nupkg in sorted(base.glob("*.nupkg")):
        with zipfile.ZipFile(nupkg) as z:
            names = set(z.namelist())
        need = ["lib/netstandard2.1/Devian.Network.dll", "Devian.Network.nuspec"] + staged
        r.check(f"{nupkg.name} holds the assembly, the nuspec and every staged library",
                [f"no {n}" for n in need if n not in names])


def main(argv):
    r = Results()
    if len(argv) >= 2 and argv[1] == "package":
        check_package_json(r)
        check_asmdefs(r)
        check_metas(r)
        check_plugins(r)
        check_sync(r)
        check_one_tree(r)
        check_gitignore(r)
        check_readme(r)
    elif len(argv) == 3 and argv[1] == "tarball":
        check_tarball(r, argv[2])
    elif len(argv) == 3 and argv[1] == "nuget":
        check_nuget(r, argv[2], release=False)
    elif len(argv) == 4 and argv[1:3] == ["nuget", "--release"]:
        check_nuget(r, argv[3], release=True)
    elif len(argv) == 4 and argv[1:3] == ["tarball", "--release"]:
        check_tarball(r, argv[3])
        check_release_plugins(r, argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return r.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
