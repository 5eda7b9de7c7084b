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


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    problems, count = check(root)
    for p in problems:
        print(p)
    print(f"layering: {count} files, {len(problems)} upward or unplaced includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
