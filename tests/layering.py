#!/usr/bin/env python3
"""Includes point only downward: each layer of sim/ and include/mpsim/ may
include the layers listed for it below and nothing else (docs/architecture.md).

Usage: tests/layering.py [REPO_ROOT]. Prints every include that breaks the rule
with its file and line, and exits 1 if there is one."""
import pathlib
import re
import sys

# Each layer and the layers its files may include, itself included. The order
# is the data flow: scenario text -> model -> kernel -> analysis -> report;
# os (real mode) sits beside the kernel and shares its runtime view.
ALLOWED = {
    "model": {"model"},
    "scenario": {"model", "scenario"},
    "kernel": {"model", "kernel"},
    "os": {"model", "kernel", "os"},
    "analysis": {"model", "scenario", "kernel", "analysis"},
    "report": {"model", "kernel", "analysis", "report"},
    # mpsim py: drives the kernel with a real Python program (docs/python.md)
    "python": {"model", "scenario", "kernel", "python"},
}
# The few includes across the rule, each with its reason. Keep this list short.
EXCEPTIONS = {
    ("scenario", "mpsim/kernel/policy.hpp"):
        "the checker validates machine.scheduler against the policy registry",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of_file(root, path):
    rel = path.relative_to(root).parts
    if rel[0] == "sim":
        return rel[1] if len(rel) > 2 else None
    return rel[2] if len(rel) > 3 else None  # include/mpsim/LAYER/x.hpp


def layer_of_include(name):
    parts = name.split("/")
    if parts[0] == "mpsim":
        return (parts[1] if len(parts) > 2 else None), True
    return (parts[0] if len(parts) > 1 else None), False


def check(root):
    problems = []
    files = sorted(p for d in ("sim", "include/mpsim") for p in (root / d).rglob("*")
                   if p.suffix in (".cpp", ".hpp"))
    for path in files:
        layer = layer_of_file(root, path)
        where = path.relative_to(root)
        if layer not in ALLOWED:
            problems.append(f"{where}: not inside a layer folder ({', '.join(ALLOWED)})")
            continue
        public = where.parts[0] == "include"
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target, target_public = layer_of_include(match.group(1))
            if target not in ALLOWED:
                problems.append(f"{where}:{number}: \"{match.group(1)}\" names no layer; "
                                f"write it as \"LAYER/file.hpp\" or \"mpsim/LAYER/file.hpp\"")
            elif target not in ALLOWED[layer] and (layer, match.group(1)) not in EXCEPTIONS:
                problems.append(f"{where}:{number}: {layer} may not include {target} "
                                f"(\"{match.group(1)}\"); {layer} may include: "
                                f"{', '.join(sorted(ALLOWED[layer]))}")
            elif public and not target_public:
                problems.append(f"{where}:{number}: a public header includes the private "
                                f"\"{match.group(1)}\"")
    return problems, len(files)


def self_test():
    """The rule catches what it should: an upward include, an unplaced file, a
    private header named by a public one; and lets a downward include pass."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        files = {
            "sim/model/a.cpp": '#include "mpsim/kernel/policy.hpp"\n',
            "sim/report/b.cpp": '#include "analysis/intervals.hpp"\n#include "mpsim/model/result.hpp"\n',
            "sim/loose.cpp": "\n",
            "include/mpsim/kernel/c.hpp": '#include "kernel/kernel.hpp"\n',
            "sim/kernel/d.cpp": '#include "helper.hpp"\n',
        }
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        problems, count = check(root)
        expected = [
            "include/mpsim/kernel/c.hpp:1: a public header includes the private \"kernel/kernel.hpp\"",
            "sim/kernel/d.cpp:1: \"helper.hpp\" names no layer; write it as \"LAYER/file.hpp\" or \"mpsim/LAYER/file.hpp\"",
            f"sim/loose.cpp: not inside a layer folder ({', '.join(ALLOWED)})",
            "sim/model/a.cpp:1: model may not include kernel (\"mpsim/kernel/policy.hpp\"); model may include: model",
        ]
        if count != 5 or problems != expected:
            print("self-test failed:", count, *problems, sep="\n  ")
            return 1
    print("layering self-test: 4 of 4 planted problems found, the downward include passed")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems, count = check(root)
    for p in problems:
        print(p)
    print(f"layering: {count} files, {len(problems)} upward or unplaced includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
