#!/usr/bin/env python3
"""Expected `helm template` outputs for the helm crate's corpus, from the real
Helm 4.2.3 engine (PyPI helm-python-sdk, import `helm_python`).

Layout (all under crates/helm/tests/):
  charts/<chart>/                 a test chart
  cases/<chart>/<case>.yaml       values file of one case (`-f`)
  cases/<chart>/<case>.flags      optional extra flags, one per line:
                                  --name N, --namespace NS, --include-crds,
                                  --set-string k=v, --set k=v (no integers:
                                  the C ABI turns them into float64),
                                  -f other.yaml (relative to cases/<chart>/)
  expected/<chart>/<case>.txt     stdout of `helm template`
  expected/<chart>/<case>.err     Helm's error, when it fails

Commands:
  gen-helm-expected.py [--only CHART]     regenerate expected/
  gen-helm-expected.py render CHART CASE  print Helm's output for one case
  gen-helm-expected.py time CHART CASE N  median ms of N helm-template runs

Run it with the virtualenv python (target/helm-venv/bin/python).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time

import helm_python as helm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(ROOT, "crates", "helm", "tests")

# Go's unicode.IsSpace set, for TrimSpace / TrimLeftFunc.
SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# releaseutil's separator; RE2 \s is [\t\n\f\r ].
SEP = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
ORDER = ("PriorityClass Namespace NetworkPolicy ResourceQuota LimitRange PodSecurityPolicy "
         "PodDisruptionBudget ServiceAccount Secret SecretList ConfigMap StorageClass "
         "PersistentVolume PersistentVolumeClaim CustomResourceDefinition ClusterRole "
         "ClusterRoleList ClusterRoleBinding ClusterRoleBindingList Role RoleList RoleBinding "
         "RoleBindingList Service DaemonSet Pod ReplicationController ReplicaSet Deployment "
         "HorizontalPodAutoscaler StatefulSet Job CronJob IngressClass Ingress APIService "
         "MutatingWebhookConfiguration ValidatingWebhookConfiguration").split()
EVENTS = {"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
          "post-upgrade", "pre-rollback", "post-rollback", "test", "test-success"}


def regexp_split(s: str) -> list[str]:
    """Go's Regexp.Split(s, -1) with SEP."""
    if not s:
        return [""]
    out, beg, end = [], 0, 0
    for m in SEP.finditer(s):
        end = m.start()
        if m.end() != 0:
            out.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        out.append(s[beg:])
    return out


def kind_key(kind: str):
    return (0, ORDER.index(kind), "") if kind in ORDER else (1, 0, kind)


def hooks_of(files: dict[str, str]) -> list[tuple[str, str, str]]:
    """The hook documents of a render, as SortManifests classifies them."""
    hooks = []
    for path in sorted(files):
        text = files[path]
        if os.path.basename(path).startswith("_") or path.endswith("NOTES.txt"):
            continue
        if text.strip(SPACE) == "":
            continue
        for doc in regexp_split(text.lstrip(SPACE)):
            if doc.strip(SPACE) == "":
                continue
            doc = doc.lstrip(SPACE)
            head = helm.values_from_yaml(doc)
            head = head if isinstance(head, dict) else {}
            meta = head.get("metadata") or {}
            ann = meta.get("annotations") if isinstance(meta, dict) else None
            if not ann or "helm.sh/hook" not in ann:
                continue
            events = [e.strip().lower() for e in str(ann["helm.sh/hook"]).split(",")]
            if any(e not in EVENTS for e in events):
                continue
            hooks.append((path, doc, head.get("kind") or ""))
    hooks.sort(key=lambda h: kind_key(h[2]))
    return hooks


def merge(a: dict, b: dict) -> dict:
    """loader.MergeMaps."""
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_values(path: str) -> dict:
    """A values file; several YAML documents are merged in order."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    vals: dict = {}
    for doc in re.split(r"(?m)^---[ \t]*(?:#.*)?$", text):
        parsed = helm.values_from_yaml(doc)
        if isinstance(parsed, dict):
            vals = merge(vals, parsed)
    return vals


def case_options(chart: str, case: str) -> dict:
    cdir = os.path.join(TESTS, "cases", chart)
    opts = {"name": "release-name", "namespace": "default", "include_crds": False,
            "files": [os.path.join(cdir, case + ".yaml")], "set": [], "set_string": []}
    flags = os.path.join(cdir, case + ".flags")
    if os.path.exists(flags):
        with open(flags) as fh:
            for line in fh:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                flag, _, arg = line.partition(" ")
                if flag == "--name":
                    opts["name"] = arg
                elif flag == "--namespace":
                    opts["namespace"] = arg
                elif flag == "--include-crds":
                    opts["include_crds"] = True
                elif flag == "--set":
                    opts["set"].append(arg)
                elif flag == "--set-string":
                    opts["set_string"].append(arg)
                elif flag == "-f":
                    opts["files"].append(os.path.join(cdir, arg))
                else:
                    raise SystemExit(f"{flags}: unknown flag {flag}")
    return opts


def user_values(opts: dict) -> dict:
    vals: dict = {}
    for f in opts["files"]:
        vals = merge(vals, load_values(f))
    for s in opts["set"]:
        vals = merge(vals, helm.parse_set_string(s))
    for s in opts["set_string"]:
        vals = merge(vals, helm.parse_set_string_values(s))
    return vals


def check_dependencies(chart) -> None:
    """action.CheckDependencies, which the C ABI's install skips."""
    reqs = chart.metadata.get("dependencies") or []
    present = {d["name"] for d in chart.dependencies}
    missing = [d["name"] for d in reqs if d["name"] not in present]
    if missing:
        raise RuntimeError(
            "an error occurred while checking for chart dependencies. You may need to run "
            "'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but "
            "missing in charts/ directory: " + ", ".join(missing))


def helm_template(chart_dir: str, opts: dict) -> str:
    vals = user_values(opts)
    name, ns = opts["name"], opts["namespace"]
    with helm.Chart.load(chart_dir) as chart:
        check_dependencies(chart)
        with helm.Config(storage_driver="memory", namespace=ns) as cfg:
            rel = cfg.install(chart, name, vals, dry_run="client", namespace=ns)
        manifest = rel.get("manifest", "")
        files = chart.render(vals, name=name, namespace=ns)
        hooks = "".join(f"---\n# Source: {p}\n{d}\n" for p, d, _ in hooks_of(files))
        crds = ""
        if opts["include_crds"]:
            crds = "".join(f"---\n# Source: {c['filename']}\n{c['data']}\n" for c in chart.crds)
    return (crds + manifest).strip(SPACE) + "\n" + hooks


def cases() -> list[tuple[str, str]]:
    out = []
    cdir = os.path.join(TESTS, "cases")
    for chart in sorted(os.listdir(cdir)):
        for f in sorted(os.listdir(os.path.join(cdir, chart))):
            if f.endswith(".yaml") and not f.startswith("_"):
                out.append((chart, f[:-5]))
    return out


def generate(only: str | None) -> int:
    ok = err = 0
    for chart, case in cases():
        if only and chart != only:
            continue
        edir = os.path.join(TESTS, "expected", chart)
        os.makedirs(edir, exist_ok=True)
        for ext in (".txt", ".err"):
            p = os.path.join(edir, case + ext)
            if os.path.exists(p):
                os.remove(p)
        try:
            out = helm_template(os.path.join(TESTS, "charts", chart), case_options(chart, case))
            with open(os.path.join(edir, case + ".txt"), "w", encoding="utf-8", newline="") as fh:
                fh.write(out)
            ok += 1
        except (helm.HelmError, RuntimeError) as exc:
            with open(os.path.join(edir, case + ".err"), "w", encoding="utf-8") as fh:
                fh.write(str(exc).rstrip() + "\n")
            err += 1
    print(f"{ok} outputs, {err} errors")
    return 0


def main(argv: list[str]) -> int:
    if argv and argv[0] == "render":
        chart, case = argv[1], argv[2]
        try:
            sys.stdout.write(helm_template(os.path.join(TESTS, "charts", chart), case_options(chart, case)))
        except (helm.HelmError, RuntimeError) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        return 0
    if argv and argv[0] == "time":
        chart, case, n = argv[1], argv[2], int(argv[3])
        path, opts = os.path.join(TESTS, "charts", chart), case_options(chart, case)
        vals = user_values(opts)

        def once() -> None:
            # What `helm template` does: load, then install in client dry-run
            # mode (dependencies, coalescing, schema, render, sorting).
            with helm.Chart.load(path) as chart_h:
                with helm.Config(storage_driver="memory", namespace=opts["namespace"]) as cfg:
                    cfg.install(chart_h, opts["name"], vals, dry_run="client", namespace=opts["namespace"])

        once()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            once()
            times.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"median_ms": statistics.median(times), "n": n}))
        return 0
    only = None
    if argv and argv[0] == "--only":
        only = argv[1]
    return generate(only)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
