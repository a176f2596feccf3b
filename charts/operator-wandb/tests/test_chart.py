"""Chart-level checks: schema file up to date, lint, channel, and keys not covered by examples."""

import base64
import os
import subprocess
import sys

import pytest
import yaml

from lib import (CHANNEL, Manifests, NAMESPACE, RELEASE, channel_values, example_names, example_values, load_yaml,
                 merge, resolved_env)
from render import CHART_DIR, lint, render, renderer_name

R = RELEASE
BASE = {"global": {"host": "https://wandb.example.com", "license": "x"}}


def rendered(values):
    return Manifests(render(merge(merge(channel_values(), BASE), values), name=R, namespace=NAMESPACE))


def test_schema_file_is_generated():
    gen = os.path.join(CHART_DIR, "schema", "gen_schema.py")
    proc = subprocess.run([sys.executable, gen, "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(renderer_name() != "helm", reason="helm lint needs the real Helm SDK")
@pytest.mark.parametrize("values", [{}, BASE] + [example_values(n) for n in example_names()],
                         ids=["defaults", "host+license"] + example_names())
def test_lint_clean(values):
    rep = lint(values)
    assert not rep.get("errors"), rep
    assert not rep.get("messages"), rep  # not even INFO-level advice


def test_chart_renders_with_its_own_defaults():
    """Plain `helm install` without the operator: values.yaml alone is enough."""
    m = Manifests(render({}, name=R, namespace=NAMESPACE))
    assert m.has("Deployment", f"{R}-app")


def test_channel_matches_embedded_chart():
    ch = load_yaml(CHANNEL)
    chart = load_yaml(os.path.join(CHART_DIR, "Chart.yaml"))
    assert ch["chart"] == {"name": chart["name"], "version": chart["version"]}
    assert set(ch["metadata"]) >= {"releaseId", "version"}
    defaults = load_yaml(os.path.join(CHART_DIR, "values.yaml"))
    for comp, v in defaults.items():
        if isinstance(v, dict) and "image" in v:
            assert ch["values"][comp]["image"]["tag"], f"channel has no image tag for {comp}"
            assert ch["values"][comp]["image"]["repository"] == v["image"]["repository"], comp


def test_every_image_comes_from_the_channel():
    """Rendering with the channel pins every image to a channel tag."""
    vals = channel_values()
    tags = {f"{v['image']['repository']}:{v['image']['tag']}" for v in vals.values() if "image" in v}
    tags |= {f"{v['clientImage']['repository']}:{v['clientImage']['tag']}" for v in vals.values() if "clientImage" in v}
    m = rendered({"global": {"weave-trace": {"enabled": True}, "api": {"enabled": True}, "glue": {"enabled": True}},
                  "frontend": {"install": True}, "executor": {"install": True}, "filestream": {"install": True},
                  "flat-run-fields-updater": {"install": True}})
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            assert c["image"] in tags, (w["metadata"]["name"], c["image"])


def test_storage_class_and_sizes():
    m = rendered({"global": {"storageClass": "fast-ssd", "weave-trace": {"enabled": True}},
                  "mysql": {"persistence": {"size": "100Gi"}}, "redis": {"persistence": {"storageClass": "other"}}})
    for sts in m.all("StatefulSet"):
        claim = sts["spec"]["volumeClaimTemplates"][0]["spec"]
        want = "other" if sts["metadata"]["name"] == f"{R}-redis" else "fast-ssd"
        assert claim["storageClassName"] == want
    assert m.get("StatefulSet", f"{R}-mysql")["spec"]["volumeClaimTemplates"][0]["spec"]["resources"] == \
        {"requests": {"storage": "100Gi"}}


@pytest.mark.parametrize("size,replicas,cpu", [("small", 1, "2"), ("medium", 1, "4"), ("large", 2, "4")])
def test_size_presets(size, replicas, cpu):
    m = rendered({"global": {"size": size}})
    d = m.get("Deployment", f"{R}-app")
    assert d["spec"]["replicas"] == replicas
    assert d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == cpu


def test_explicit_replicas_and_resources_beat_the_preset():
    res = {"requests": {"cpu": "3", "memory": "3Gi"}}
    m = rendered({"global": {"size": "large"}, "app": {"replicaCount": 4, "resources": res}})
    d = m.get("Deployment", f"{R}-app")
    assert d["spec"]["replicas"] == 4
    assert d["spec"]["template"]["spec"]["containers"][0]["resources"] == res


def test_autoscaling_from_sizing():
    m = rendered({"weave": {"sizing": {"small": {"autoscaling": {"horizontal": {
        "enabled": True, "minReplicas": 2, "maxReplicas": 6}}}}}})
    hpa = m.get("HorizontalPodAutoscaler", f"{R}-weave")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert hpa["spec"]["scaleTargetRef"]["name"] == f"{R}-weave"
    assert "replicas" not in m.get("Deployment", f"{R}-weave")["spec"]


def test_scheduling_global_and_component():
    m = rendered({"global": {"nodeSelector": {"pool": "wandb"}, "tolerations": [{"key": "k", "operator": "Exists"}],
                             "affinity": {"nodeAffinity": {"x": 1}}, "podAnnotations": {"a": "b"}},
                  "parquet": {"nodeSelector": {"pool": "big"}, "podAnnotations": {"c": "d"}}})
    app = m.pod("Deployment", f"{R}-app")
    assert app["nodeSelector"] == {"pool": "wandb"} and app["tolerations"] == [{"key": "k", "operator": "Exists"}]
    assert app["affinity"] == {"nodeAffinity": {"x": 1}}
    assert m.pod("Deployment", f"{R}-parquet")["nodeSelector"] == {"pool": "big"}
    assert m.pod("StatefulSet", f"{R}-mysql")["nodeSelector"] == {"pool": "wandb"}
    ann = m.get("Deployment", f"{R}-parquet")["spec"]["template"]["metadata"]["annotations"]
    assert {k: v for k, v in ann.items() if k != "wandb.com/config-hash"} == {"a": "b", "c": "d"}


def test_config_change_rolls_pods():
    def h(values):
        return rendered(values).get("Deployment", f"{R}-app")["spec"]["template"]["metadata"]["annotations"][
            "wandb.com/config-hash"]
    same = {"global": {"mysql": {"password": "a"}}}
    assert h(same) == h(same)
    assert h(same) != h({"global": {"mysql": {"password": "b"}}})


def test_image_registry_prefixes_every_image():
    m = rendered({"global": {"imageRegistry": "mirror.local:5000/wandb", "imagePullSecrets": ["regcred"]},
                  "app": {"image": {"repository": "other.registry.io/wandb/local"}}})
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        assert spec["imagePullSecrets"] == [{"name": "regcred"}]
        for c in spec.get("initContainers", []) + spec["containers"]:
            assert c["image"].startswith(("mirror.local:5000/wandb/", "other.registry.io/")), c["image"]
    assert m.container("Deployment", f"{R}-app")["image"].startswith("other.registry.io/wandb/local:")
    assert m.container("StatefulSet", f"{R}-mysql")["image"].startswith("mirror.local:5000/wandb/mysql:")


def test_custom_ca_certs_as_map_of_files():
    m = rendered({"global": {"customCACerts": {"corp-root.crt": "PEM1"}}})
    assert m.get("ConfigMap", f"{R}-ca-certs")["data"] == {"corp-root.crt": "PEM1"}


def test_ca_configmap_declared_keys_are_projected():
    m = rendered({"global": {"caCertsConfigMap": "cas", "caCertsConfigMapKeys": ["a.crt"]}})
    vols = {v["name"]: v for v in m.pod("Deployment", f"{R}-app")["volumes"]}
    assert vols["wandb-ca-certs-user"]["configMap"] == {"name": "cas", "items": [{"key": "a.crt", "path": "a.crt"}]}


def test_in_cluster_redis_with_password():
    m = rendered({"global": {"redis": {"password": "pw"}}})
    r = m.container("StatefulSet", f"{R}-redis")
    assert "--requirepass" in r["command"][-1]
    assert resolved_env(r)["REDIS_PASSWORD"] == f"<secret:{R}-redis/REDIS_PASSWORD>"
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["REDIS"] == f"redis://:<secret:{R}-redis/REDIS_PASSWORD>@{R}-redis:6379?ttlInSeconds=604800"
    assert base64.b64decode(m.get("Secret", f"{R}-redis")["data"]["REDIS_PASSWORD"]) == b"pw"


def test_in_cluster_mysql_with_password_secret():
    m = rendered({"global": {"mysql": {"passwordSecret": {"name": "db", "passwordKey": "P", "rootPasswordKey": "RP"}}}})
    env = resolved_env(m.container("StatefulSet", f"{R}-mysql"))
    assert env["MYSQL_PASSWORD"] == "<secret:db/P>" and env["MYSQL_ROOT_PASSWORD"] == "<secret:db/RP>"
    assert not m.has("Secret", f"{R}-mysql")


def test_redis_params_and_port_query():
    m = rendered({"redis": {"install": False},
                  "global": {"redis": {"host": "r", "port": "6380?tls=true", "parameters": {"db": 2}}}})
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["REDIS"] == "redis://r:6380?db=2&tls=true&ttlInSeconds=604800"


def test_component_extra_env_beats_global_and_bundle():
    m = rendered({"global": {"extraEnv": {"A": "global", "MYSQL_PORT": "3307"}}, "app": {"extraEnv": {"A": "app"}}})
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["A"] == "app"
    assert env["MYSQL"].endswith(":3307/wandb_local?tls=preferred")
    assert resolved_env(m.container("Deployment", f"{R}-parquet"))["A"] == "global"


def test_components_can_be_switched_off():
    m = rendered({"console": {"install": False}, "weave": {"install": False}, "parquet": {"install": False},
                  "ingress": {"install": False}})
    assert m.names("Deployment") == [f"{R}-app"]
    assert not m.all("Ingress") and not m.all("ClusterRole")
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["WEAVE_ENABLED"] == "false" and env["PARQUET_ENABLED"] == "false"


def test_cloud_provider_annotations():
    gcp = rendered({"global": {"cloudProvider": "gcp"}})
    assert gcp.get("Service", f"{R}-app")["metadata"]["annotations"]["cloud.google.com/neg"] == '{"ingress": true}'
    aws = rendered({"global": {"cloudProvider": "aws"}})
    ann = aws.get("Service", f"{R}-console")["metadata"]["annotations"]
    assert ann["alb.ingress.kubernetes.io/healthcheck-path"] == "/console/api/healthz"


def test_ip_host_gives_an_ingress_rule_without_host():
    m = rendered({"global": {"host": "http://10.0.0.5:8080"}})
    rule = m.get("Ingress", R)["spec"]["rules"][0]
    assert "host" not in rule
    assert resolved_env(m.container("Deployment", f"{R}-app"))["HOST"] == "http://10.0.0.5:8080"


def test_service_account_annotations():
    m = rendered({"app": {"serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "arn:x"}}}})
    sa = m.get("ServiceAccount", f"{R}-app")
    assert sa["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:x"}


def test_in_cluster_store_services_follow_the_configured_ports():
    m = rendered({"global": {"mysql": {"port": 3307}, "redis": {"port": 6380},
                             "clickhouse": {"port": 8124}, "weave-trace": {"enabled": True}}})
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["MYSQL_PORT"] == str(m.get("Service", f"{R}-mysql")["spec"]["ports"][0]["port"]) == "3307"
    assert env["REDIS_PORT"] == str(m.get("Service", f"{R}-redis")["spec"]["ports"][0]["port"]) == "6380"
    wt = resolved_env(m.container("Deployment", f"{R}-weave-trace"))
    assert wt["WF_CLICKHOUSE_PORT"] == str(m.get("Service", f"{R}-clickhouse")["spec"]["ports"][0]["port"]) == "8124"


def test_ldap_bind_password_from_an_existing_secret():
    m = rendered({"global": {"ldap": {"enabled": True, "host": "ldaps://l:636",
                                      "bindPW": {"name": "ldap-bind", "key": "password"}}}})
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["LOCAL_LDAP_BIND_PW"] == "<secret:ldap-bind/password>"
    assert not m.has("Secret", f"{R}-ldap")


def test_oidc_secret_from_an_existing_secret():
    m = rendered({"global": {"auth": {"oidc": {"clientId": "c", "issuer": "https://i",
                                               "oidcSecret": {"name": "sso", "secretKey": "client-secret"}}}}})
    env = resolved_env(m.container("Deployment", f"{R}-app"))
    assert env["OIDC_SECRET"] == env["GORILLA_OIDC_SECRET"] == "<secret:sso/client-secret>"
    assert not m.has("Secret", f"{R}-oidc")


def test_bucket_job_is_renamed_when_its_pod_template_changes():
    def job(values):
        jobs = rendered(values).all("Job")
        assert len(jobs) == 1
        return jobs[0]["metadata"]["name"]
    assert job({}) == job({})
    assert job({}) != job({"global": {"imagePullSecrets": ["regcred"]}})
    assert job({}) != job({"minio": {"bucket": "other"}})


def test_docs_name_every_top_level_and_global_key():
    docs = open(os.path.join(CHART_DIR, "..", "..", "docs", "chart.md"), encoding="utf-8").read()
    defaults = load_yaml(os.path.join(CHART_DIR, "values.yaml"))
    missing = [k for k in defaults if f"`{k}" not in docs]
    for k in defaults["global"]:
        if f"global.{k}" not in docs:
            missing.append(f"global.{k}")
    assert not missing, f"docs/chart.md does not mention {missing}"
