"""Helpers for the chart tests: layer merge, manifest parsing, env resolution."""

from __future__ import annotations

import copy
import glob
import os
import re

import yaml

from render import CHART_DIR

REPO = os.path.abspath(os.path.join(CHART_DIR, "..", ".."))
EXAMPLES_DIR = os.path.join(REPO, "examples")
CHANNEL = os.path.join(REPO, "channels", "default.yaml")
RELEASE = "wandb"
NAMESPACE = "default"


def merge(lower, higher):
    """Operator layer merge: maps merge recursively, lists and scalars replace,
    an explicit null in the higher layer deletes the key."""
    if not isinstance(lower, dict) or not isinstance(higher, dict):
        return copy.deepcopy(higher)
    out = copy.deepcopy(lower)
    for k, v in higher.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def channel_values():
    return load_yaml(CHANNEL)["values"]


def example_names():
    return sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(EXAMPLES_DIR, "*.yaml")))


def example_cr(name):
    return load_yaml(os.path.join(EXAMPLES_DIR, name + ".yaml"))


def example_values(name):
    """Channel values with the CR's spec.values on top, as the operator does."""
    cr = example_cr(name)
    return merge(channel_values(), (cr.get("spec") or {}).get("values") or {})


class Manifests:
    """Parsed `helm template` output with lookups by kind and name."""

    def __init__(self, text):
        self.text = text
        self.docs = [d for d in yaml.safe_load_all(text) if d]

    def all(self, kind):
        return [d for d in self.docs if d["kind"] == kind]

    def names(self, kind):
        return sorted(d["metadata"]["name"] for d in self.all(kind))

    def get(self, kind, name):
        for d in self.docs:
            if d["kind"] == kind and d["metadata"]["name"] == name:
                return d
        raise KeyError(f"{kind}/{name} not rendered; have {self.names(kind)}")

    def has(self, kind, name):
        return any(d["kind"] == kind and d["metadata"]["name"] == name for d in self.docs)

    def pod(self, kind, name):
        return self.get(kind, name)["spec"]["template"]["spec"]

    def container(self, kind, name, container=None):
        spec = self.pod(kind, name)
        cs = spec["containers"]
        if container is None:
            return cs[0]
        return next(c for c in cs if c["name"] == container)

    def workloads(self):
        return [d for d in self.docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]


def env_list(container):
    return container.get("env") or []


def env_names(container):
    return [e["name"] for e in env_list(container)]


def env_source(container, name):
    for e in env_list(container):
        if e["name"] == name:
            return e
    raise KeyError(f"env {name} missing in container {container['name']}")


_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def resolved_env(container):
    """Env as kubelet expands it: $(VAR) refers to earlier entries only; secret and
    configmap references become <secret:name/key> / <configmap:name/key>."""
    seen = {}
    for e in env_list(container):
        if "value" in e:
            v = _REF.sub(lambda m: seen.get(m.group(1), m.group(0)), str(e.get("value", "")))
        else:
            vf = e.get("valueFrom", {})
            if "secretKeyRef" in vf:
                r = vf["secretKeyRef"]
                v = f"<secret:{r['name']}/{r['key']}>"
            elif "configMapKeyRef" in vf:
                r = vf["configMapKeyRef"]
                v = f"<configmap:{r['name']}/{r['key']}>"
            elif "fieldRef" in vf:
                v = f"<field:{vf['fieldRef']['fieldPath']}>"
            else:
                v = f"<{sorted(vf)}>"
        seen[e["name"]] = v
    return seen
