"""Snapshot of the full rendering of every example (tests/snapshots/<example>.yaml).

Regenerate with UPDATE_SNAPSHOTS=1. Values of generated Secret keys (listed in the
annotation wandb.com/generated-keys) are random per render and replaced by <generated>.
"""

import os
import re

import pytest
import yaml

from lib import NAMESPACE, RELEASE, example_names, example_values
from render import render

SNAP_DIR = os.path.join(os.path.dirname(__file__), "snapshots")


def normalize(text):
    """Replace generated values in the rendered text, keeping everything else byte for byte."""
    out = []
    for doc in re.split(r"(?m)^---\n", text):
        head = yaml.safe_load(doc) if doc.strip() else None
        if isinstance(head, dict) and head.get("kind") == "Secret":
            keys = ((head.get("metadata") or {}).get("annotations") or {}).get("wandb.com/generated-keys", "")
            for k in filter(None, keys.split(",")):
                doc = re.sub(rf'(?m)^(  {re.escape(k)}: )".*"$', r'\1"<generated>"', doc)
        out.append(doc)
    return "---\n".join(out)


@pytest.mark.parametrize("name", example_names())
def test_snapshot(name):
    got = normalize(render(example_values(name), name=RELEASE, namespace=NAMESPACE))
    path = os.path.join(SNAP_DIR, name + ".yaml")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        os.makedirs(SNAP_DIR, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(got)
        return
    assert os.path.exists(path), f"no snapshot {path}; run with UPDATE_SNAPSHOTS=1"
    with open(path, encoding="utf-8") as fh:
        want = fh.read()
    assert got == want, f"rendering of examples/{name}.yaml changed; review and run with UPDATE_SNAPSHOTS=1"


def test_no_stale_snapshots():
    have = {f[:-5] for f in os.listdir(SNAP_DIR) if f.endswith(".yaml")} if os.path.isdir(SNAP_DIR) else set()
    assert have <= set(example_names()), f"snapshots without an example: {sorted(have - set(example_names()))}"
