"""Real `helm install` and `helm upgrade` (helm-python-sdk) against the project's
kube-testserver: the chart installs into an API server, and passwords generated on
install survive the upgrade (lookup). Skipped when no kube-testserver binary is built
(set KUBE_TESTSERVER, or build it: cargo build -p kube-testserver)."""

import glob
import json
import os
import subprocess
import time
import urllib.request

import pytest
import yaml

from lib import REPO, channel_values, merge
from render import CHART_DIR, renderer_name


def _server_binary():
    env = os.environ.get("KUBE_TESTSERVER")
    if env:
        return env
    for pattern in ("target/debug/kube-testserver", "target/*/debug/kube-testserver",
                    "target/release/kube-testserver"):
        found = sorted(glob.glob(os.path.join(REPO, pattern)), key=os.path.getmtime)
        if found:
            return found[-1]
    return None


BINARY = _server_binary()
pytestmark = [
    pytest.mark.skipif(BINARY is None, reason="no kube-testserver binary (cargo build -p kube-testserver)"),
    pytest.mark.skipif(renderer_name() != "helm", reason="drives the real Helm SDK"),
]


@pytest.fixture
def cluster(tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen([BINARY, "--port", "0", "--kubeconfig-out", str(kubeconfig)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while not (kubeconfig.exists() and kubeconfig.stat().st_size > 0):
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"kube-testserver did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        time.sleep(0.2)
        server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        yield str(kubeconfig), server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _get(server, path):
    with urllib.request.urlopen(server.rstrip("/") + path, timeout=10) as resp:
        return json.loads(resp.read())


def test_install_then_upgrade_keeps_generated_passwords(cluster):
    import helm_python as helm

    kubeconfig, server = cluster
    ns = "wandb"
    values = merge(channel_values(), {"global": {"host": "https://wandb.example.com", "license": "x",
                                                 "weave-trace": {"enabled": True}}})
    secrets = ["wandb-mysql", "wandb-minio", "wandb-session-key", "wandb-clickhouse"]
    with helm.Config(kubeconfig_path=kubeconfig, namespace=ns) as cfg, helm.Chart.load(CHART_DIR) as chart:
        cfg.install(chart, "wandb", values, namespace=ns, create_namespace=True)
        first = {s: _get(server, f"/api/v1/namespaces/{ns}/secrets/{s}")["data"] for s in secrets}
        deployments = _get(server, f"/apis/apps/v1/namespaces/{ns}/deployments")["items"]
        assert {d["metadata"]["name"] for d in deployments} >= {"wandb-app", "wandb-console", "wandb-weave-trace"}
        cfg.upgrade(chart, "wandb", values, namespace=ns)
        second = {s: _get(server, f"/api/v1/namespaces/{ns}/secrets/{s}")["data"] for s in secrets}
    assert first == second
    assert all(len(v) > 0 for data in first.values() for v in data.values())


def _post(server, path, body):
    req = urllib.request.Request(server.rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_ca_configmap_keys_are_checked_against_the_cluster(cluster):
    """With a readable cluster, lookup sees the ConfigMap: a key without .crt is refused."""
    import helm_python as helm

    kubeconfig, server = cluster
    ns = "certs"
    _post(server, "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for name, key in (("good-cas", "ca-cert1.crt"), ("bad-cas", "ca-cert1.pem")):
        _post(server, f"/api/v1/namespaces/{ns}/configmaps",
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {key: "PEM"}})
    base = merge(channel_values(), {"global": {"host": "https://wandb.example.com", "license": "x"}})
    with helm.Config(kubeconfig_path=kubeconfig, namespace=ns) as cfg, helm.Chart.load(CHART_DIR) as chart:
        with pytest.raises(helm.HelmError) as err:
            cfg.install(chart, "bad", merge(base, {"global": {"caCertsConfigMap": "bad-cas"}}), namespace=ns)
        assert "global.caCertsConfigMap" in str(err.value) and "ca-cert1.pem" in str(err.value)
        cfg.install(chart, "good", merge(base, {"global": {"caCertsConfigMap": "good-cas"}}), namespace=ns)
