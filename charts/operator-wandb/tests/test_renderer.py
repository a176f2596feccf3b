"""The pluggable renderer: the command-line path works, and a non-Helm renderer
produces byte for byte what real Helm produces for every example."""

import os
import subprocess
import sys

import pytest

from lib import NAMESPACE, RELEASE, example_names, example_values
from render import CHART_DIR, RenderError, render, renderer_name
from test_snapshots import normalize

HERE = os.path.dirname(os.path.abspath(__file__))


def _helm(values):
    old = os.environ.get("CHART_RENDERER")
    os.environ["CHART_RENDERER"] = "helm"
    try:
        return render(values, name=RELEASE, namespace=NAMESPACE)
    finally:
        if old is None:
            del os.environ["CHART_RENDERER"]
        else:
            os.environ["CHART_RENDERER"] = old


def test_command_renderer_path(monkeypatch):
    """CHART_RENDERER as a command line: success on stdout, failure with the message."""
    monkeypatch.setenv("CHART_RENDERER", f"{sys.executable} {os.path.join(HERE, 'helm_template.py')}")
    vals = example_values("minimal")
    assert normalize(render(vals, name=RELEASE, namespace=NAMESPACE)) == normalize(_helm(vals))
    with pytest.raises(RenderError, match="runAsGroup must be 0"):
        render({**vals, "app": {"podSecurityContext": {"runAsGroup": 5}}})


@pytest.mark.skipif(renderer_name() == "helm", reason="set CHART_RENDERER to compare another engine with Helm")
@pytest.mark.parametrize("name", example_names())
def test_same_bytes_as_helm(name):
    vals = example_values(name)
    assert normalize(render(vals, name=RELEASE, namespace=NAMESPACE)) == normalize(_helm(vals))
