"""Renderer used by the chart tests.

CHART_RENDERER selects the engine:
  * unset or "helm": the real Helm 4 engine through helm-python-sdk (import helm_python),
    the same path as `helm template` (install action, dry-run=client);
  * anything else: a command line, run as `<cmd> <release> <chart> -f <values.json> -n <ns>`
    (the shape of `helm template`), printing manifests on stdout and failing with a
    non-zero exit and the error on stderr. Example: CHART_RENDERER="wandb-operator template".
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile

CHART_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


class RenderError(Exception):
    """The chart refused the values (schema error, fail, required, template error)."""


def renderer_name() -> str:
    return os.environ.get("CHART_RENDERER", "helm").strip() or "helm"


def _helm_python():
    import helm_python  # the venv's package; see scripts/test

    return helm_python


def render(values: dict, name: str = "wandb", namespace: str = "wandb", chart: str = CHART_DIR) -> str:
    """Return `helm template` output (manifests in install order) or raise RenderError."""
    which = renderer_name()
    if which == "helm":
        helm = _helm_python()
        try:
            with helm.Chart.load(chart) as ch:
                with helm.Config(storage_driver="memory", namespace=namespace) as cfg:
                    rel = cfg.install(ch, name, values, dry_run="client", namespace=namespace)
        except helm.HelmError as exc:
            raise RenderError(str(exc)) from None
        # `helm template` prints the release manifest trimmed (Go's strings.TrimSpace)
        # plus one line break; the chart has no hooks, which it would print after.
        manifest = rel.get("manifest", "")
        return manifest.strip() + "\n" if manifest.strip() else ""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(values, fh)
        path = fh.name
    try:
        cmd = shlex.split(which) + [name, chart, "-f", path, "-n", namespace]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise RenderError(proc.stderr.strip() or proc.stdout.strip())
    return proc.stdout


def lint(values: dict) -> dict:
    """helm lint report through the SDK (real Helm only)."""
    helm = _helm_python()
    return helm.lint(CHART_DIR, values, strict=True, namespace="wandb", with_subcharts=True)


if __name__ == "__main__":  # manual use: python render.py values.yaml
    import sys

    import yaml

    vals = {}
    for p in sys.argv[1:]:
        with open(p) as fh:
            doc = yaml.safe_load(fh) or {}
        if doc.get("kind") == "WeightsAndBiases":
            doc = (doc.get("spec") or {}).get("values") or {}
        vals.update(doc)
    try:
        sys.stdout.write(render(vals))
    except RenderError as e:
        sys.exit(f"Error: {e}")
