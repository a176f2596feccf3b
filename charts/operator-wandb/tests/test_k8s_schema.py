"""Every rendered object is valid against the Kubernetes API schemas (strict: no unknown
fields), through the PyPI package kubernetes-validate (bundled schemas, offline)."""

import pytest

from lib import example_names

kv = pytest.importorskip("kubernetes_validate", reason="pip install kubernetes-validate (scripts/requirements-test.txt)")

import functools  # noqa: E402

import kubernetes_validate.utils as _kvu  # noqa: E402

# validate() re-reads the large definitions file for every object; read each file once.
_kvu.schema_contents = functools.lru_cache(maxsize=None)(_kvu.schema_contents)

KUBE_VERSION = "1.33"  # the cluster version the workspace's k8s-openapi targets


@pytest.mark.parametrize("name", example_names())
def test_objects_are_valid_kubernetes(name, example):
    for doc in example(name).docs:
        try:
            kv.validate(doc, KUBE_VERSION, strict=True)
        except kv.ValidationError as exc:
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
