#!/usr/bin/python3
"""Keeps scenarios/schema.json true.

1. The schema itself is valid JSON Schema (draft 2020-12).
2. Every scenario in scenarios/ (except schema.json and *.out.json results)
   and in tests/valid/ (which together use every key and operation)
   validates against it: the schema is not stricter than mpsim.
3. Each malformed sample whose mistake a schema can see (a wrong type, an
   unknown key, a value out of range...) is rejected: the schema is not laxer.
4. The samples whose mistakes only mpsim can see (unknown names, expressions,
   duplicate process names...) are accepted, so list 3 proves something.
5. With the mpsim binary as argument: `mpsim check` accepts tests/valid/, and
   the schema's policies and their parameters are those `mpsim policies` lists.

Run with Debian's python (python3-jsonschema): /usr/bin/python3 tests/schema_test.py [MPSIM]
"""
import json
import pathlib
import re
import subprocess
import sys

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "scenarios" / "schema.json"
MALFORMED = ROOT / "tests" / "malformed"
VALID = ROOT / "tests" / "valid"

# Samples in tests/malformed/ the schema must reject.
SCHEMA_REJECTS = [
    "02-top-level-array",
    "03-missing-programs-processes",
    "04-unknown-top-level-key",
    "05-misspelt-machine-key",
    "06-cores-wrong-type",
    "07-cores-zero",
    "08-cores-too-many",
    "09-negative-compute",
    "10-negative-io-sleep",
    "11-unknown-operation",
    "12-two-operations",
    "13-unknown-modifier",
    "17-duplicate-lock",
    "19-count-without-index",
    "20-unknown-policy",
    "21-unknown-policy-parameter",
    "25-assign-builtin",
    "28-bad-file-name",
    "49-hostile-file-names",
    "31-several-errors",
    "32-if-without-then",
    "33-repeat-without-do",
    "34-negative-arrival",
    "35-nice-out-of-range",
    "36-switch-on-io-wrong-type",
    "37-io-completion-typo",
    "41-values-out-of-range",
    "42-misspelt-yield",
    "43-wrong-shapes",
    "44-scheduler-parameter-types",
    "45-empty-processes",
    "46-bad-file-values",
    "47-operation-argument-types",
    "48-only-a-modifier",
    "49-mlfq-variant-typo",
    "60-pool-typos",
    "52-bad-values-arrays",
    "53-bad-pipes",
]

# Samples whose only mistakes need mpsim (names, expressions, evaluation,
# relations between values): the schema accepts them. Not listed anywhere:
# 01 (not JSON at all), 16 (duplicate keys are invisible once parsed) and
# 26/29 (a mix of both kinds).
SCHEMA_ACCEPTS = [
    "14-unknown-program-in-process",
    "15-spawn-undefined-program",
    "18-duplicate-process-name",
    "22-mlfq-quanta-length",
    "23-invalid-expression",
    "24-unknown-function",
    "27-acquire-undeclared-lock",
    "30-args-unknown-variable",
    "38-setup-division-by-zero",
    "39-duplicate-generated-names",
    "40-print-unknown-function",
    "50-mlfq-ostep-switch-without-variant",
    "51-mlfq-ostep-allotment-not-whole-quanta",
    "61-pool-callback-takes-time",
]


def scenario_files():
    for path in sorted((ROOT / "scenarios").rglob("*.json")):
        if path.name == "schema.json" or path.name.endswith((".out.json", ".sweep.json")):
            continue
        yield path
    yield from sorted(VALID.glob("*.json"))


def first_error(validator, doc):
    """The most relevant error, as 'json/path: message', or None."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return None
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {error.message}"


def schema_policies(schema):
    """{policy: [parameters]} from the scheduler's per-policy shapes."""
    policies = {}
    for name, shape in schema["$defs"].items():
        if name.startswith("policy_"):
            params = [k for k in shape["properties"] if k != "policy"]
            policies[shape["properties"]["policy"]["const"]] = params
    return policies


def mpsim_policies(mpsim):
    """{policy: [parameters]} from `mpsim policies` (name lines, then indented parameters)."""
    text = subprocess.run([mpsim, "policies"], check=True, capture_output=True, text=True).stdout
    policies, current = {}, None
    for line in text.splitlines():
        if m := re.match(r"^(\w+): ", line):
            current = m.group(1)
            policies[current] = []
        elif (m := re.match(r"^\s+(\w+) \(default", line)) and current:
            policies[current].append(m.group(1))
    return policies


def main():
    failures = []
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    checked = 0
    for path in scenario_files():
        checked += 1
        error = first_error(validator, json.loads(path.read_text()))
        if error:
            failures.append(f"{path.relative_to(ROOT)} is a valid scenario but the schema rejects it: {error}")
    if checked == 0:
        failures.append("no scenario found under scenarios/")

    for name in SCHEMA_REJECTS:
        doc = json.loads((MALFORMED / f"{name}.json").read_text())
        if first_error(validator, doc) is None:
            failures.append(f"tests/malformed/{name}.json is malformed but the schema accepts it")
    for name in SCHEMA_ACCEPTS:
        doc = json.loads((MALFORMED / f"{name}.json").read_text())
        error = first_error(validator, doc)
        if error:
            failures.append(f"tests/malformed/{name}.json has only mistakes a schema cannot see, "
                            f"yet the schema rejects it: {error}")

    if len(sys.argv) > 1:
        valid = sorted(str(p) for p in VALID.glob("*.json"))
        check = subprocess.run([sys.argv[1], "check", *valid], capture_output=True, text=True)
        if check.returncode != 0:
            failures.append(f"mpsim check rejects tests/valid/:\n{check.stderr}")
        ours, theirs = schema_policies(schema), mpsim_policies(sys.argv[1])
        if ours != theirs:
            failures.append(f"the schema's policies {ours} differ from `mpsim policies` {theirs}: "
                            "update $defs/scheduler and the policy_* shapes")
        enum = set(schema["$defs"]["scheduler"]["oneOf"][0]["enum"])
        if enum != set(theirs):
            failures.append(f"the scheduler's policy names {sorted(enum)} differ from {sorted(theirs)}")

    for f in failures:
        print("FAIL:", f)
    print(f"schema: {checked} valid scenarios, {len(SCHEMA_REJECTS)} samples to reject, "
          f"{len(SCHEMA_ACCEPTS)} semantic-only samples: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
