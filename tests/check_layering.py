#!/usr/bin/python3
"""check_layering.py [--tally FILE] [ROOT] — the module arrows of the
src/<m>/module.mk files, as a test.

Rules, one test case per module (plus one for the declarations as a whole):
  includes   every `#include "x/..."` that resolves to module x, in src/<m>/,
             tests/unit/<m>/ (with bench/) and tests/fuzz/<m>/, needs x == m
             or x in <m>_DEPS (those are the objects the binary links);
  libraries  a third-party C library's header (<lmdb.h>, <re2/...>, ...) is
             included only in src/<m> whose <m>_LIBS links that library;
  closure    <m>_DEPS names modules that exist, not <m> itself, and is
             transitively closed (the Makefile links <m> with exactly
             <m>_DEPS, so a dependency's dependencies must be listed too;
             closed and self-free also means free of cycles).
Prints "ok   layering/<m>" or "FAIL layering/<m>" followed by one line per
violation ("file:line: ... (rule)"), then "layering: N passed, N failed";
writes "passed failed" to FILE with --tally. Exits 1 if anything failed.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
DEPS = re.compile(r"^\s*(\w+)_DEPS\s*:?=\s*(.*?)\s*(#.*)?$")
LIBS = re.compile(r"^\s*(\w+)_LIBS\s*:?=(.*)$")
SOURCE_SUFFIXES = (".h", ".cc")

# Header (or header directory) of each third-party C library -> its -l name.
LIBRARY_HEADERS = {
    "libmilter/": "milter", "lmdb.h": "lmdb", "hiredis/": "hiredis", "re2/": "re2",
    "hs/": "hs", "hs.h": "hs", "spf2/": "spf2", "opendkim/": "opendkim",
    "openssl/": "crypto", "curl/": "curl",
}


def read_modules(root):
    """{module: (deps list, set of -l names, module.mk path)} from src/*/module.mk."""
    modules = {}
    src = os.path.join(root, "src")
    for name in sorted(os.listdir(src)):
        mk = os.path.join(src, name, "module.mk")
        if not os.path.isfile(mk):
            continue
        deps, libs = [], set()
        with open(mk, encoding="utf-8") as f:
            for line in f:
                m = DEPS.match(line)
                if m and m.group(1) == name:
                    deps = m.group(2).split()
                m = LIBS.match(line)
                if m and m.group(1) == name:
                    libs |= set(re.findall(r"-l(\w+)", m.group(2)))
        modules[name] = (deps, libs, os.path.relpath(mk, root))
    return modules


def sources_of(root, module):
    """Files whose includes count for `module`."""
    for top in ("src", "tests/unit", "tests/fuzz"):
        base = os.path.join(root, top, module)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith(SOURCE_SUFFIXES):
                    yield os.path.join(dirpath, f)


def module_of(root, path, modules):
    """The module a repository file belongs to (src/<m>/ or tests/unit/<m>/), or None."""
    parts = os.path.relpath(path, root).split(os.sep)
    if len(parts) > 2 and parts[0] == "src" and parts[1] in modules:
        return parts[1]
    if len(parts) > 3 and parts[:2] == ["tests", "unit"] and parts[2] in modules:
        return parts[2]
    return None


def included_module(root, source, target, modules):
    """The module a quoted include resolves to, as the compiler looks for it:
    the including file's directory first, then -Isrc."""
    local = os.path.normpath(os.path.join(os.path.dirname(source), target))
    if os.path.exists(local):
        return module_of(root, local, modules)
    first = target.split("/", 1)[0]
    if "/" in target and first in modules:
        return first
    return None


def library_of(target):
    for prefix, lib in LIBRARY_HEADERS.items():
        if target == prefix or (prefix.endswith("/") and target.startswith(prefix)):
            return lib
    return None


def include_violations(root, module, modules):
    deps, libs, mk = modules[module]
    allowed = {module, *deps}
    for path in sources_of(root, module):
        rel = os.path.relpath(path, root)
        in_src = rel.startswith("src" + os.sep)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, target = m.groups()
                if kind == '"':
                    used = included_module(root, path, target, modules)
                    if used is not None and used not in allowed:
                        yield (f'{rel}:{number}: includes "{target}": module {module} may use only '
                               f'{" ".join(sorted(allowed))} ({mk}: {module}_DEPS)')
                elif in_src:
                    lib = library_of(target)
                    if lib is not None and lib not in libs:
                        yield (f"{rel}:{number}: includes <{target}>: only a module whose _LIBS "
                               f"links -l{lib} may include it ({mk}: {module}_LIBS)")


def closure_violations(module, modules):
    deps, _, mk = modules[module]
    if module in deps:
        yield f"{mk}: {module}_DEPS names {module} itself (a cycle)"
    for d in deps:
        if d not in modules:
            yield f"{mk}: {module}_DEPS names {d}, which has no src/{d}/module.mk"
            continue
        missing = [x for x in modules[d][0] if x not in deps and x != module]
        if missing:
            yield (f"{mk}: {module}_DEPS has {d} but not its dependencies {' '.join(missing)} "
                   f"(_DEPS must be transitively closed)")
        if module in modules[d][0]:
            yield f"{mk}: {module} and {d} depend on each other (a cycle)"


def main(argv):
    tally = None
    if len(argv) > 1 and argv[0] == "--tally":
        tally, argv = argv[1], argv[2:]
    root = os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(__file__), ".."))
    modules = read_modules(root)
    passed = failed = 0
    if modules:
        passed += 1
        print(f"ok   layering/module_mk_files ({len(modules)} modules)")
    else:
        failed += 1
        print(f"FAIL layering/module_mk_files: no src/*/module.mk under {root}")
    for module in modules:
        problems = list(closure_violations(module, modules))
        problems += include_violations(root, module, modules)
        if problems:
            failed += 1
            print(f"FAIL layering/{module}")
            for p in problems:
                print(f"    {p}")
        else:
            passed += 1
            print(f"ok   layering/{module}")
    print(f"layering: {passed} passed, {failed} failed")
    if tally:
        with open(tally, "w") as f:
            f.write(f"{passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
