"""Print the Debian ``Depends`` of a PyInstaller bundle: the system libraries it links to.

    python3 packaging/linux/deb_depends.py dist/tray-app

Every ELF file of the bundle is read with ``objdump -p``; the libraries it needs that the
bundle does not carry itself are looked up with ``ldconfig -p`` and ``dpkg -S``, which
names the Debian packages that provide them. ``libc6`` gets a minimum version: the newest
``GLIBC_x.y`` symbol version any file requires. A library that cannot be found makes the
script fail: the bundle would not start on this system either.

This is what ``dpkg-shlibdeps`` does for a source package, without needing one.
Standard library only, so any Python 3.11 runs it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# /sbin is not on the PATH of every user.
LDCONFIG = shutil.which("ldconfig") or "/sbin/ldconfig"
GLIBC_VERSION = re.compile(r"\bGLIBC_(\d+(?:\.\d+)+)\b")


def elf_files(bundle: Path) -> list[Path]:
    """The ELF files (executables, libraries, Python extensions) under ``bundle``."""
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def dynamic_section(path: Path) -> tuple[list[str], list[tuple[int, ...]]]:
    """The libraries ``path`` links to directly, and the glibc versions it requires."""
    out = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
    ).stdout
    needed = [line.split()[1] for line in out.splitlines() if line.split()[:1] == ["NEEDED"]]
    versions = [tuple(int(n) for n in v.split(".")) for v in GLIBC_VERSION.findall(out)]
    return needed, versions


def system_library_paths() -> dict[str, str]:
    """Library name -> path, from the dynamic linker's cache (this machine's architecture)."""
    out = subprocess.run([LDCONFIG, "-p"], capture_output=True, text=True, check=True).stdout
    arch = subprocess.run(["uname", "-m"], capture_output=True, text=True, check=True).stdout
    flavour = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(arch.strip(), "")
    paths: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and (not flavour or flavour in match.group(2).split(",")):
            paths.setdefault(match.group(1), match.group(3))
    return paths


def owning_package(library: str) -> str | None:
    """The Debian package that ships ``library`` (a path), or None.

    With the merged /usr, a file may be registered under /lib or /usr/lib, and under the
    name of the link or of its target: try each.
    """
    path = Path(library)
    candidates = [path, path.resolve()]
    for each in list(candidates):
        text = each.as_posix()
        candidates.append(Path(text[4:] if text.startswith("/usr/") else "/usr" + text))
    for candidate in candidates:
        done = subprocess.run(
            ["dpkg-query", "-S", candidate.as_posix()], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    return None


def depends(bundle: Path) -> list[str]:
    """The Depends entries of ``bundle``, sorted; raises RuntimeError on a missing library."""
    bundled = {path.name for path in bundle.rglob("*")}
    wanted: set[str] = set()
    glibc: tuple[int, ...] = ()
    for path in elf_files(bundle):
        needed, versions = dynamic_section(path)
        wanted.update(name for name in needed if name not in bundled)
        glibc = max([glibc, *versions])
    system = system_library_paths()
    packages: set[str] = set()
    missing = []
    for name in sorted(wanted):
        package = owning_package(system[name]) if name in system else None
        if package is None:
            missing.append(name)
        else:
            packages.add(package)
    if missing:
        raise RuntimeError(f"libraries not found in any installed package: {', '.join(missing)}")
    entries = {p: p for p in packages}
    if "libc6" in entries and glibc:
        entries["libc6"] = f"libc6 (>= {'.'.join(map(str, glibc))})"
    return [entries[p] for p in sorted(entries)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the bundle folder (dist/tray-app)")
    args = parser.parse_args(argv)
    try:
        print(", ".join(depends(args.bundle)))
    except (RuntimeError, subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"deb_depends: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
