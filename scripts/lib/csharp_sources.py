#!/usr/bin/env python3
"""Prints the C# files an SDK-style .csproj compiles: its <Compile Include="..."/> globs
(relative to the project's folder; `**` matches any depth), minus <Compile Remove="..."/>, one
absolute path per line, sorted. The scripts that build with mcs use this, so the .csproj is the
one file list.

Usage: scripts/lib/csharp_sources.py PROJECT.csproj
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def sources(project):
    project = Path(project).resolve()
    root = ET.parse(project).getroot()
    included, removed = set(), set()
    for item in root.iter("Compile"):
        for attr, into in (("Include", included), ("Remove", removed)):
            for pattern in filter(None, (item.get(attr) or "").split(";")):
                into.update(p.resolve() for p in project.parent.glob(pattern.replace("\\", "/")))
    return sorted(str(p) for p in included - removed if p.is_file())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    files = sources(sys.argv[1])
    if not files:
        sys.exit(f"{sys.argv[1]}: no Compile items matched")
    print("\n".join(files))
