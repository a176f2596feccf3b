"""Drives the real Helm SDK (helm-python-sdk, import helm_python) against a
kube-testserver. Called by tests/helm_sdk.rs, one step per invocation, so the
Rust side can inspect the server between steps.

usage: helm_sdk.py KUBECONFIG CHART_DIR install|upgrade|uninstall
Prints one JSON line: {"status": ..., "revision": ...}.
"""

import json
import sys

from helm_python import Config


def main() -> int:
    kubeconfig, chart, step = sys.argv[1:4]
    cfg = Config(kubeconfig_path=kubeconfig, namespace="apps")
    if step == "install":
        rel = cfg.install(chart, "demo", {"message": "v1"}, namespace="apps",
                          create_namespace=True, wait="watcher", timeout=60)
    elif step == "upgrade":
        rel = cfg.upgrade(chart, "demo", {"message": "v2", "replicas": 2},
                          namespace="apps", wait="watcher", timeout=60)
    elif step == "uninstall":
        rel = cfg.uninstall("demo", wait="watcher", timeout=60)["release"]
    else:
        print(f"unknown step {step}", file=sys.stderr)
        return 2
    print(json.dumps({"status": rel["status"], "revision": rel["revision"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
