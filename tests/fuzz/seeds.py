#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the repository's own inputs.

seeds.py ROOT OUT writes OUT/loader, OUT/expr and OUT/scenario (emptied first):
- loader: every scenario (scenarios/**/*.json, not outputs or the schema) and
  every malformed sample (tests/malformed/*.json), byte for byte;
- expr: every distinct string in those files (expressions, templates, names),
  and every number, as the text of one expression;
- scenario: the same files as the loader's, as raw bytes for the generator
  (any bytes make a scenario), so campaigns start from varied choices;
and each target also gets its stored reproducers (tests/fuzz/regressions/TARGET).
"""
import hashlib
import json
import pathlib
import shutil
import sys


def inputs(root):
    files = sorted((root / "scenarios").rglob("*.json")) + sorted((root / "tests/malformed").glob("*.json"))
    return [f for f in files if f.name != "schema.json" and not f.name.endswith(".out.json")]


def strings(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            strings(v, out)
    elif isinstance(value, list):
        for v in value:
            strings(v, out)
    elif isinstance(value, str):
        out.add(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.add(json.dumps(value))


def write(folder, data):
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    targets = ["loader", "expr", "scenario"]
    for t in targets:
        shutil.rmtree(out / t, ignore_errors=True)
        (out / t).mkdir(parents=True)
    texts = set()
    for f in inputs(root):
        data = f.read_bytes()
        write(out / "loader", data)
        write(out / "scenario", data)
        try:
            strings(json.loads(data), texts)
        except ValueError:
            pass  # malformed on purpose: still a loader seed
    for t in sorted(texts):
        write(out / "expr", t.encode())
    for t in targets:
        for f in sorted((root / "tests/fuzz/regressions" / t).glob("*")):
            write(out / t, f.read_bytes())


if __name__ == "__main__":
    main()
