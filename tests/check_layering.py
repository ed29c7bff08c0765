#!/usr/bin/python3
"""check_layering.py [--tally FILE] [ROOT] — the module arrows of the
src/<m>/module.mk files, as a test.

Also checked like modules: the test programs outside src/ that declare
<c>_DEPS in tests/<c>/*.mk (the milter client library, the protocol tests,
the load generator), so that e.g. the client shares no code with the daemon
beyond what its .mk says.

Rules, one test case per module (plus one for the declarations as a whole):
  includes   every `#include "x/..."` that resolves to module x, in src/<m>/,
             tests/unit/<m>/ (with bench/) and tests/fuzz/<m>/ (for a test
             program: tests/<c>/), needs x == m or x in <m>_DEPS (those are
             the objects the binary links);
  libraries  a third-party C library's header (<lmdb.h>, <re2/...>, ...) is
             included only in src/<m> whose <m>_LIBS links that library;
  closure    <m>_DEPS names modules that exist, not <m> itself, and is
             transitively closed (the Makefile links <m> with exactly
             <m>_DEPS, so a dependency's dependencies must be listed too;
             closed and self-free also means free of cycles).
And one case for what the build installs (layering/build_installs_build_packages):
  `make` and `make run` (dry run, make -n) install only the packages of
  contrib/debian-build-packages.txt, never the test beds' list (a mail
  admin builds on the relay itself), and that list shares no package with
  contrib/debian-packages.txt.
Prints "ok   layering/<m>" or "FAIL layering/<m>" followed by one line per
violation ("file:line: ... (rule)"), then "layering: N passed, N failed";
writes "passed failed" to FILE with --tally. Exits 1 if anything failed.
"""
import os
import re
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
DEPS = re.compile(r"^\s*(\w+)_DEPS\s*:?=\s*(.*?)\s*(#.*)?$")
LIBS = re.compile(r"^\s*(\w+)_LIBS\s*:?=(.*)$")
SOURCE_SUFFIXES = (".h", ".cc")

# Header (or header directory) of each third-party C library -> its -l name.
LIBRARY_HEADERS = {
    "libmilter/": "milter", "lmdb.h": "lmdb", "hiredis/": "hiredis", "re2/": "re2",
    "hs/": "hs", "hs.h": "hs", "spf2/": "spf2", "opendkim/": "opendkim",
    "openssl/": "crypto", "resolv.h": "resolv", "curl/": "curl", "idn2.h": "idn2", "uninorm.h": "unistring",
    "microhttpd.h": "microhttpd", "argon2.h": "argon2",
}


def read_mk(path, name):
    """(deps list or None if not declared, set of -l names) of NAME in a .mk file."""
    deps, libs = None, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = DEPS.match(line)
            if m and m.group(1) == name:
                deps = m.group(2).split()
            m = LIBS.match(line)
            if m and m.group(1) == name:
                libs |= set(re.findall(r"-l(\w+)", m.group(2)))
    return deps, libs


def read_modules(root):
    """{name: (deps list, set of -l names, .mk path)}: the modules of
    src/*/module.mk, then the test programs of tests/<c>/*.mk."""
    modules = {}
    for top, pattern in (("src", "module.mk"), ("tests", None)):
        base = os.path.join(root, top)
        for name in sorted(os.listdir(base)):
            folder = os.path.join(base, name)
            if not os.path.isdir(folder):
                continue
            for mk in sorted(os.listdir(folder)):
                if mk != pattern and not (pattern is None and mk.endswith(".mk")):
                    continue
                deps, libs = read_mk(os.path.join(folder, mk), name)
                if deps is not None or pattern is not None:
                    modules[name] = (deps or [], libs, f"{top}/{name}/{mk}")
    return modules


def sources_of(root, module):
    """Files whose includes count for `module`."""
    tops = ("src", "tests/unit", "tests/fuzz")
    if not os.path.isdir(os.path.join(root, "src", module)):
        tops = ("tests",)  # a test program: tests/<c>/
    for top in tops:
        base = os.path.join(root, top, module)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith(SOURCE_SUFFIXES):
                    yield os.path.join(dirpath, f)


def module_of(root, path, modules):
    """The module a repository file belongs to (src/<m>/, tests/unit/<m>/, or
    a test program's tests/<c>/), or None."""
    parts = os.path.relpath(path, root).split(os.sep)
    if len(parts) > 2 and parts[0] in ("src", "tests") and parts[1] in modules:
        return parts[1]
    if len(parts) > 3 and parts[:2] == ["tests", "unit"] and parts[2] in modules:
        return parts[2]
    return None


def included_module(root, source, target, modules):
    """The module a quoted include resolves to, as the compiler looks for it:
    the including file's directory first, then -Isrc, then -Itests."""
    local = os.path.normpath(os.path.join(os.path.dirname(source), target))
    if os.path.exists(local):
        return module_of(root, local, modules)
    if "/" in target:
        for top in ("src", "tests"):
            found = os.path.join(root, top, target)
            if os.path.exists(found):
                return module_of(root, found, modules)
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
            yield f"{mk}: {module}_DEPS names {d}, which is neither a module nor a test program"
            continue
        missing = [x for x in modules[d][0] if x not in deps and x != module]
        if missing:
            yield (f"{mk}: {module}_DEPS has {d} but not its dependencies {' '.join(missing)} "
                   f"(_DEPS must be transitively closed)")
        if module in modules[d][0]:
            yield f"{mk}: {module} and {d} depend on each other (a cycle)"


BUILD_LIST = "contrib/debian-build-packages.txt"
TEST_LIST = "contrib/debian-packages.txt"


def installs_of(root, target):
    """The package lists each install-deps.sh call of `make -n TARGET` names."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    with tempfile.TemporaryDirectory() as build:
        out = subprocess.run(["make", "-n", "--no-print-directory", "-C", root, f"BUILD={build}", target],
                             env=env, capture_output=True, text=True, check=False).stdout
    return [line.split("install-deps.sh", 1)[1].split() for line in out.splitlines()
            if "install-deps.sh" in line]


def package_names(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return {line.split()[0] for line in f if line.strip() and not line.startswith("#")}


def build_install_violations(root):
    for target in ("all", "run"):
        calls = installs_of(root, target)
        if not calls:
            yield f"make {target}: installs no build packages (expected install-deps.sh {BUILD_LIST})"
        for lists in calls:
            if lists != [BUILD_LIST]:
                yield f"make {target}: installs {' '.join(lists)} (only {BUILD_LIST} allowed)"
    if not any(TEST_LIST in lists for lists in installs_of(root, "deps")):
        yield f"make deps: does not install {TEST_LIST} (this check cannot see installs)"
    for pkg in sorted(package_names(root, BUILD_LIST) & package_names(root, TEST_LIST)):
        yield f"{BUILD_LIST}: {pkg} is also in {TEST_LIST}"


def main(argv):
    tally = None
    if len(argv) > 1 and argv[0] == "--tally":
        tally, argv = argv[1], argv[2:]
    root = os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(__file__), ".."))
    modules = read_modules(root)
    passed = failed = 0
    if modules:
        passed += 1
        print(f"ok   layering/module_mk_files ({len(modules)} modules and test programs)")
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
    problems = list(build_install_violations(root))
    if problems:
        failed += 1
        print("FAIL layering/build_installs_build_packages")
        for p in problems:
            print(f"    {p}")
    else:
        passed += 1
        print("ok   layering/build_installs_build_packages")
    print(f"layering: {passed} passed, {failed} failed")
    if tally:
        with open(tally, "w") as f:
            f.write(f"{passed} {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
