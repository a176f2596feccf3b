#!/usr/bin/env python3
"""Regenerates (or re-checks) the gotmpl conformance fixture with the real engine.

The case list is crates/gotmpl/tests/cases.txt: blocks that start with a line
`### <id>` followed by the template text (the newline before the next `###`
line is not part of the template). A block may start with `#values <json>`
lines (merged over the default values) and `#nohelm` (the case exercises Go
behaviour that Helm shadows; its expected result is written by hand in
`#expect-output <json string>` or `#expect-error <json string>`, from Go's
documentation, and it is not run through Helm).

Every other case is rendered by Helm 4.2.3's Go engine through the PyPI package
helm-python-sdk (import helm_python): each case is one template file
`templates/t0000.txt` of a chart `oracle` 0.1.0, release `release-name` in
namespace `default`, with DEFAULT_VALUES (as JSON, so numbers are float64) and
the helpers of HELPERS. Cases that fail are re-rendered alone so their error
names `oracle/templates/t0000.txt`.

Usage:
  gen-gotmpl-cases.py            regenerate crates/gotmpl/tests/cases.json
  gen-gotmpl-cases.py --check N  re-render N random cases of the fixture and
                                 compare (exit 1 on drift)
Run it with a python that has helm-python-sdk (target/helm-venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_TXT = os.path.join(ROOT, "crates", "gotmpl", "tests", "cases.txt")
FIXTURE = os.path.join(ROOT, "crates", "gotmpl", "tests", "cases.json")

CHART_YAML = 'apiVersion: v2\nname: oracle\nversion: 0.1.0\nappVersion: "1.0"\n'

DEFAULT_VALUES = {
    "n1": 1, "n6": 1000000, "n5": 100000, "n8": 123456789, "n21": 1e21,
    "f": 1.5, "f0": 2.0, "fneg": -2.5, "tiny": 0.00001, "neg": -3,
    "s": "hello", "e": "", "z": 0, "fl": False, "t": True,
    "m": {"b": 2, "a": 1, "c": {"d": "x"}}, "em": {}, "el": [],
    "l": ["a", "b", "c"], "nl": [1, 2, 3], "ns": None,
    "html": "<a&b>", "q": "it's \"q\"", "uni": "héllo wörld", "multi": "line1\nline2\n",
    "hy-phen": "dash",
    "users": [{"name": "b", "age": 30}, {"name": "a", "age": 25}],
    "nested": {"a": {"b": {"c": "deep"}}, "l": [{"x": 1}, {"x": 2}]},
    "mixed": ["a", 1, True, None, 2.5],
    "ml": [[1, 2], [3]],
}

HELPERS = """{{- define "h.name" -}}name-{{ . }}{{- end -}}
{{- define "h.dot" -}}[{{ . }}]{{- end -}}
{{- define "h.values" -}}{{ .Values.s }}{{- end -}}
{{- define "h.nested" -}}<{{ template "h.dot" . }}>{{- end -}}
{{- define "h.vars" -}}{{ $x := "inner" }}{{ $x }}{{- end -}}
{{- define "h.root" -}}{{ $ }}{{- end -}}
{{- define "h.block" -}}overridden{{- end -}}
{{- define "h.err" -}}{{ index . 9 }}{{- end -}}
"""


def parse_cases(path: str) -> list[dict]:
    cases: list[dict] = []
    cur: dict | None = None
    lines: list[str] = []

    def flush():
        if cur is not None:
            cur["template"] = "\n".join(lines)
            cases.append(cur)

    with open(path, encoding="utf-8") as fh:
        for raw in fh.read().split("\n"):
            if raw.startswith("### "):
                flush()
                cur = {"id": raw[4:].strip()}
                lines = []
                continue
            if cur is None:
                continue
            if not lines and raw.startswith("#values "):
                cur.setdefault("values", {}).update(json.loads(raw[len("#values "):]))
                continue
            if not lines and raw == "#nohelm":
                cur["nohelm"] = True
                continue
            if not lines and raw.startswith("#expect-output "):
                cur["output"] = json.loads(raw[len("#expect-output "):])
                continue
            if not lines and raw.startswith("#expect-error "):
                cur["error"] = json.loads(raw[len("#expect-error "):])
                continue
            lines.append(raw)
    flush()
    # The last block of the file has a trailing newline from the file itself.
    if cases and cases[-1]["template"].endswith("\n"):
        cases[-1]["template"] = cases[-1]["template"][:-1]
    ids = [c["id"] for c in cases]
    dups = {i for i in ids if ids.count(i) > 1}
    if dups:
        sys.exit(f"duplicate case ids: {sorted(dups)}")
    return cases


def _import_helm():
    try:
        import helm_python  # noqa: F401
    except ImportError:
        sys.exit("gen-gotmpl-cases: cannot import helm_python; run this script with the "
                 "python of a virtualenv that has helm-python-sdk (target/helm-venv/bin/python, "
                 "created by scripts/test)")
    import helm_python
    return helm_python


def render(helm, batch: list[dict], values: dict) -> dict[str, dict]:
    """Renders cases in one chart; returns id -> {"output"} or {"error"}."""
    tmp = tempfile.mkdtemp(prefix="gotmpl-cases-")
    try:
        os.makedirs(os.path.join(tmp, "templates"))
        with open(os.path.join(tmp, "Chart.yaml"), "w") as fh:
            fh.write(CHART_YAML)
        with open(os.path.join(tmp, "templates", "_helpers.tpl"), "w") as fh:
            fh.write(HELPERS)
        for i, c in enumerate(batch):
            with open(os.path.join(tmp, "templates", f"t{i:04d}.txt"), "w", encoding="utf-8") as fh:
                fh.write(c["template"])
        with helm.Chart.load(tmp) as chart:
            try:
                out = chart.render(values, name="release-name", namespace="default")
            except helm.HelmError as exc:
                if len(batch) == 1:
                    return {batch[0]["id"]: {"error": str(exc)}}
                out = None
        if out is not None:
            return {c["id"]: {"output": out[f"oracle/templates/t{i:04d}.txt"]} for i, c in enumerate(batch)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mid = len(batch) // 2
    res = render(helm, batch[:mid], values)
    res.update(render(helm, batch[mid:], values))
    return res


def values_of(case: dict) -> dict:
    v = json.loads(json.dumps(DEFAULT_VALUES))
    v.update(case.get("values", {}))
    return v


def run_cases(helm, cases: list[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for c in cases:
        # Cases with defines get their own chart: defines share one namespace.
        solo = "define" in c["template"] or "block" in c["template"]
        key = json.dumps([c.get("values", {}), c["id"] if solo else ""], sort_keys=True)
        groups.setdefault(key, []).append(c)
    res: dict[str, dict] = {}
    for cs in groups.values():
        res.update(render(helm, cs, values_of(cs[0])))
    return res


def fixture_entry(case: dict, result: dict) -> dict:
    e = {"id": case["id"], "template": case["template"]}
    if "values" in case:
        e["values"] = case["values"]
    if case.get("nohelm"):
        e["source"] = "go-doc"
    e.update(result)
    return e


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", type=int, metavar="N", help="re-check N random fixture cases")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", default=CASES_TXT, help="case list (default: %(default)s)")
    ap.add_argument("--out", default=FIXTURE, help="fixture to write or check (default: %(default)s)")
    args = ap.parse_args()
    helm = _import_helm()
    if args.check is not None:
        with open(args.out, encoding="utf-8") as fh:
            fixture = json.load(fh)
        rng = random.Random(args.seed)
        pool = [c for c in fixture["cases"] if c.get("source") != "go-doc"]
        sample = rng.sample(pool, min(args.check, len(pool)))
        got = run_cases(helm, sample)
        bad = 0
        for c in sample:
            want = {k: c[k] for k in ("output", "error") if k in c}
            if got[c["id"]] != want:
                bad += 1
                print(f"DRIFT {c['id']}: fixture {want!r} engine {got[c['id']]!r}")
        print(f"checked {len(sample)} cases against the engine, {bad} drifted")
        return 1 if bad else 0
    cases = parse_cases(args.cases)
    helm_cases = [c for c in cases if not c.get("nohelm")]
    got = run_cases(helm, helm_cases)
    out = []
    for c in cases:
        if c.get("nohelm"):
            out.append(fixture_entry(c, {k: c[k] for k in ("output", "error") if k in c}))
        else:
            out.append(fixture_entry(c, got[c["id"]]))
    fixture = {
        "about": "Generated by scripts/gen-gotmpl-cases.py from crates/gotmpl/tests/cases.txt; "
                 "expected results from Helm 4.2.3's Go text/template engine (helm-python-sdk), "
                 "except cases with source go-doc (Go builtins Helm shadows, from Go's docs).",
        "chart": {"name": "oracle", "version": "0.1.0", "appVersion": "1.0",
                  "template": "oracle/templates/t0000.txt", "release": "release-name",
                  "namespace": "default"},
        "default_values": DEFAULT_VALUES,
        "helpers": HELPERS,
        "cases": out,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(fixture, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    n_err = sum(1 for c in out if "error" in c)
    print(f"wrote {len(out)} cases ({n_err} errors) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
