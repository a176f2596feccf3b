#!/usr/bin/env python3
"""`helm template` through the real Helm engine (helm-python-sdk), with the command-line
shape the tests use for CHART_RENDERER: helm_template.py RELEASE CHART -f VALUES -n NS.
Values files may be YAML or JSON; several -f are merged as Helm merges them."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import yaml  # noqa: E402

from render import RenderError, render  # noqa: E402


def _merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("release")
    p.add_argument("chart")
    p.add_argument("-f", "--values", action="append", default=[])
    p.add_argument("-n", "--namespace", default="default")
    a = p.parse_args()
    vals = {}
    for f in a.values:
        with open(f, encoding="utf-8") as fh:
            vals = _merge(vals, yaml.safe_load(fh) or {})
    os.environ["CHART_RENDERER"] = "helm"
    try:
        sys.stdout.write(render(vals, name=a.release, namespace=a.namespace, chart=os.path.abspath(a.chart)))
    except RenderError as e:
        sys.stderr.write(f"Error: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
