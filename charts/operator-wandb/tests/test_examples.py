"""Facts that make W&B run, checked on every example custom resource in examples/."""

import re

import pytest

from lib import NAMESPACE, RELEASE, example_cr, example_names, example_values, resolved_env, env_names, env_source

R = RELEASE
EXAMPLES = example_names()
GORILLA = ["app", "parquet"]  # default-layout components with the full backend env
MYSQL_URL = "mysql://{user}:{pw}@{host}:{port}/{db}?tls=preferred"


def deployment_env(m, comp):
    return resolved_env(m.container("Deployment", f"{R}-{comp}"))


# ---------------------------------------------------------------- every example

@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_a_custom_resource(name):
    cr = example_cr(name)
    assert cr["apiVersion"] == "apps.wandb.com/v1"
    assert cr["kind"] == "WeightsAndBiases"
    assert cr["metadata"]["name"] and cr["metadata"]["namespace"]
    assert isinstance(cr["spec"]["values"], dict)


@pytest.mark.parametrize("name", EXAMPLES)
def test_env_is_well_formed(name, example):
    """Unique names (server-side apply rejects duplicates) and every $(VAR) defined earlier."""
    m = example(name)
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            names = env_names(c)
            assert len(names) == len(set(names)), (w["metadata"]["name"], c["name"])
            for var, val in resolved_env(c).items():
                dangling = re.findall(r"\$\(([A-Z0-9_]+)\)", val)
                assert not dangling, f"{w['metadata']['name']}/{c['name']}: {var} refers to undefined {dangling}"


def _strings_under_secret_keys(node, inside=False):
    """String leaves below any key whose name mentions "secret" (names of existing Secrets)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings_under_secret_keys(v, inside or "secret" in str(k).lower())
    elif isinstance(node, str) and inside:
        yield node


@pytest.mark.parametrize("name", EXAMPLES)
def test_secret_references_exist(name, example):
    """Every secretKeyRef points at a Secret the chart renders, or one the example names."""
    m = example(name)
    rendered = {s["metadata"]["name"]: s for s in m.all("Secret")}
    external = set(_strings_under_secret_keys(example_values(name)))
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if not ref or ref.get("optional"):
                    continue
                if ref["name"] in rendered:
                    assert ref["key"] in rendered[ref["name"]]["data"], (ref, w["metadata"]["name"])
                else:
                    assert ref["name"] in external, f"{w['metadata']['name']}: unknown Secret {ref['name']}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_security_contexts(name, example):
    """W&B images need group 0; nothing privileged."""
    m = example(name)
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        assert spec["securityContext"].get("runAsGroup", 0) == 0, w["metadata"]["name"]
        assert spec["securityContext"].get("runAsNonRoot") is True, w["metadata"]["name"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["securityContext"].get("privileged", False) is False


@pytest.mark.parametrize("name", EXAMPLES)
def test_ingress(name, example):
    m = example(name)
    ing = m.get("Ingress", R)
    vals = example_values(name)
    host = re.sub(r"^[a-z]+://", "", vals["global"]["host"]).split("/")[0].split(":")[0]
    rules = ing["spec"]["rules"]
    assert [r.get("host") for r in rules] == [host]
    paths = {p["path"]: (p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
             for p in rules[0]["http"]["paths"]}
    front = f"{R}-frontend" if vals.get("frontend", {}).get("install") else f"{R}-app"
    assert paths["/"] == (front, 8080)
    assert paths["/console"] == (f"{R}-console", 8082)
    trace_on = vals.get("weave-trace", {}).get("install") or vals["global"].get("weave-trace", {}).get("enabled")
    assert ("/traces" in paths) == bool(trace_on)
    if trace_on:
        assert paths["/traces"] == (f"{R}-weave-trace", 8722)
    # Every backend Service exists with that port.
    for svc, port in paths.values():
        assert port in [p["port"] for p in m.get("Service", svc)["spec"]["ports"]]
    annotations = (vals.get("ingress") or {}).get("annotations") or {}
    assert (ing["metadata"].get("annotations") or {}) == annotations
    cls = (vals.get("ingress") or {}).get("class") or None
    assert ing["spec"].get("ingressClassName") == cls


@pytest.mark.parametrize("name", EXAMPLES)
def test_backend_env(name, example):
    """MYSQL, REDIS, BUCKET and LICENSE on every backend component, resolved."""
    m = example(name)
    vals = example_values(name)
    g = vals["global"]
    my = g.get("mysql") or {}
    comps = [c for c in ["app", "parquet", "api", "glue", "executor", "filestream", "flat-run-fields-updater"]
             if m.has("Deployment", f"{R}-{c}")]
    assert comps
    secret = (my.get("passwordSecret") or {}).get("name") or f"{R}-mysql"
    ps = my.get("passwordSecret") or {}
    key = (ps.get("passwordKey") or "MYSQL_PASSWORD") if ps.get("name") else "MYSQL_PASSWORD"
    want_mysql = MYSQL_URL.format(user=my.get("user", "wandb"), pw=f"<secret:{secret}/{key}>",
                                  host=my.get("host") or f"{R}-mysql", port=my.get("port", 3306),
                                  db=my.get("database", "wandb_local"))
    lic = g.get("licenseSecret") or {}
    want_lic = f"<secret:{lic['name']}/{lic['key']}>" if lic.get("name") else f"<secret:{R}-license/license>"
    for comp in comps:
        env = deployment_env(m, comp)
        assert env["MYSQL"] == want_mysql, comp
        for alias in ["GORILLA_METADATA_STORE", "GORILLA_RUN_STORE", "GORILLA_USAGE_STORE"]:
            assert env[alias] == want_mysql
        assert env["LICENSE"] == want_lic and env["GORILLA_LICENSE"] == want_lic
        assert env["BUCKET"] == env["GORILLA_FILE_STORE"] == env["GORILLA_STORAGE_BUCKET"]
        assert env["REDIS"].startswith("redis://") and env["GORILLA_CACHE"] == env["REDIS"]


# ---------------------------------------------------------------- per example

def test_minimal_is_a_complete_platform(example):
    m = example("minimal")
    assert m.names("StatefulSet") == [f"{R}-minio", f"{R}-mysql", f"{R}-redis"]
    assert {f"{R}-app", f"{R}-console", f"{R}-parquet", f"{R}-weave"} <= set(m.names("Deployment"))
    mysql = m.container("StatefulSet", f"{R}-mysql")
    assert mysql["image"].startswith("mysql:8.")
    env = deployment_env(m, "app")
    assert env["MYSQL"] == f"mysql://wandb:<secret:{R}-mysql/MYSQL_PASSWORD>@{R}-mysql:3306/wandb_local?tls=preferred"
    assert env["REDIS"] == f"redis://{R}-redis:6379?ttlInSeconds=604800"
    assert env["BUCKET"] == (f"s3://<secret:{R}-minio/MINIO_ROOT_USER>:<secret:{R}-minio/MINIO_ROOT_PASSWORD>"
                             f"@{R}-minio:9000/wandb")
    assert env["HOST"] == "https://wandb.example.com"
    job = next(j for j in m.all("Job") if j["metadata"]["name"].startswith(f"{R}-minio-bucket-"))
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert 'mc mb --ignore-existing "wandb/wandb"' in script
    assert f"http://{R}-minio:9000" in script
    # Generated passwords are kept across upgrades.
    for s in (f"{R}-mysql", f"{R}-minio", f"{R}-session-key"):
        assert m.get("Secret", s)["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"
    assert not m.has("StatefulSet", f"{R}-clickhouse")
    assert m.get("Service", f"{R}-mysql")["spec"]["ports"][0]["port"] == 3306
    assert m.get("Service", f"{R}-redis")["spec"]["ports"][0]["port"] == 6379
    assert m.get("Service", f"{R}-minio")["spec"]["ports"][0]["port"] == 9000


def test_gcp_full(example):
    m = example("gcp-full")
    env = deployment_env(m, "app")
    assert env["BUCKET"] == "gs://abc-wandb-moving-pipefish"
    assert env["MYSQL_HOST"] == "10.218.0.2"
    assert env["MYSQL"] == f"mysql://wandb:<secret:{R}-mysql/MYSQL_PASSWORD>@10.218.0.2:3306/wandb_local?tls=preferred"
    import base64
    data = m.get("Secret", f"{R}-mysql")["data"]
    assert base64.b64decode(data["MYSQL_PASSWORD"]).decode() == "8wtX6cJHizAZvYScjDzZcUarK4zZGjpV"
    assert base64.b64decode(m.get("Secret", f"{R}-license")["data"]["license"]).decode() == \
        "eyJhbGnUzaHgyQjQyQWhEU3...ZieKQ2x5GGfw"
    # External database and bucket: no in-cluster MySQL or MinIO.
    assert m.names("StatefulSet") == [f"{R}-redis"]
    assert "BUCKET_ACCESS_KEY" not in env


def test_bucket_s3(example):
    env = deployment_env(example("bucket-s3"), "app")
    assert env["BUCKET"] == "s3://wandb-example-bucket"
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_S3_KMS_ID"].startswith("arn:aws:kms:")


def test_bucket_gcs(example):
    assert deployment_env(example("bucket-gcs"), "parquet")["BUCKET"] == "gs://wandb-example-bucket"


def test_bucket_azure(example):
    m = example("bucket-azure")
    env = deployment_env(m, "app")
    assert env["BUCKET"] == "az://wandbexample"
    assert env["AZURE_STORAGE_KEY"] == f"<secret:{R}-bucket/SECRET_KEY>"
    import base64
    assert base64.b64decode(m.get("Secret", f"{R}-bucket")["data"]["SECRET_KEY"]).decode() == \
        "c2VjcmV0LWF6dXJlLXN0b3JhZ2Uta2V5"


def test_bucket_s3_compatible(example):
    m = example("bucket-s3-compatible")
    env = deployment_env(m, "app")
    assert env["BUCKET"] == (f"s3://<secret:{R}-bucket/ACCESS_KEY>:<secret:{R}-bucket/SECRET_KEY>"
                             "@storage.example.com/wandb")
    assert env["AWS_S3_KMS_ID"] == ""  # kmsKey: null
    assert env["AWS_REGION"] == "default"
    assert not m.has("StatefulSet", f"{R}-minio")


def test_bucket_secret(example):
    m = example("bucket-secret")
    env = deployment_env(m, "app")
    assert env["BUCKET"] == ("s3://<secret:bucket-secret/ACCESS_KEY>:<secret:bucket-secret/SECRET_KEY>"
                             "@storage.example.com/wandb")
    assert not m.has("Secret", f"{R}-bucket")


def test_bucket_extraenv(example):
    m = example("bucket-extraenv")
    for comp in GORILLA:
        env = deployment_env(m, comp)
        assert env["BUCKET"] == "s3://wandb:changeme@mydb.com/wandb?tls=true"
        assert env["GORILLA_FILE_STORE"] == env["BUCKET"]
    assert not m.has("StatefulSet", f"{R}-minio")


def test_mysql_external(example):
    m = example("mysql-external")
    env = deployment_env(m, "app")
    assert env["MYSQL"] == f"mysql://wandb:<secret:{R}-mysql/MYSQL_PASSWORD>@db.example.com:3306/wandb_local?tls=preferred"
    assert not m.has("StatefulSet", f"{R}-mysql")


def test_mysql_password_secret(example):
    m = example("mysql-password-secret")
    env = deployment_env(m, "parquet")
    assert env["MYSQL_PASSWORD"] == "<secret:database-secret/MYSQL_WANDB_PASSWORD>"
    assert not m.has("Secret", f"{R}-mysql")


def test_license_secret(example):
    m = example("license-secret")
    for comp in GORILLA:
        env = deployment_env(m, comp)
        assert env["LICENSE"] == "<secret:license-secret/CUSTOMER_WANDB_LICENSE>"
        assert env["GORILLA_LICENSE"] == "<secret:license-secret/CUSTOMER_WANDB_LICENSE>"
    assert not m.has("Secret", f"{R}-license")


def test_ingress_tls(example):
    ing = example("ingress-tls").get("Ingress", R)
    assert ing["spec"]["tls"] == [{"hosts": ["wandb.example.com"], "secretName": "wandb-ingress-tls"}]
    assert "ingressClassName" not in ing["spec"]


def test_ingress_no_tls(example):
    ing = example("ingress-no-tls").get("Ingress", R)
    assert "tls" not in ing["spec"]
    assert ing["spec"]["ingressClassName"] == "nginx"


def test_ingress_nginx_body_size(example):
    ing = example("ingress-nginx-body-size").get("Ingress", R)
    assert ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "64m"


def test_host_with_port(example):
    m = example("host-with-port")
    assert m.get("Ingress", R)["spec"]["rules"][0]["host"] == "wandb.example.com"
    assert deployment_env(m, "app")["HOST"] == "https://wandb.example.com:8443"


def _sa(m, comp):
    return m.pod("Deployment", f"{R}-{comp}")["serviceAccountName"]


def test_serviceaccount_create(example):
    m = example("serviceaccount-create")
    assert _sa(m, "app") == _sa(m, "parquet") == "custom-service-account"
    assert m.names("ServiceAccount").count("custom-service-account") == 1
    assert _sa(m, "console") == f"{R}-console"
    rb = m.get("RoleBinding", f"{R}-app")
    assert rb["subjects"][0]["name"] == "custom-service-account"


def test_serviceaccount_existing(example):
    m = example("serviceaccount-existing")
    assert _sa(m, "app") == _sa(m, "parquet") == "custom-service-account"
    assert "custom-service-account" not in m.names("ServiceAccount")


def test_serviceaccount_app_console(example):
    m = example("serviceaccount-app-console")
    assert _sa(m, "app") == _sa(m, "console") == "custom-service-account"
    assert m.names("ServiceAccount").count("custom-service-account") == 1
    crb = m.get("ClusterRoleBinding", f"{NAMESPACE}-{R}-console")
    assert crb["subjects"][0]["name"] == "custom-service-account"


def test_serviceaccount_different(example):
    m = example("serviceaccount-different")
    assert _sa(m, "app") == "custom-service-account"
    assert _sa(m, "console") == "another-custom-service-account"
    names = m.names("ServiceAccount")
    assert "another-custom-service-account" in names and "custom-service-account" not in names


def test_redis_external(example):
    m = example("redis-external")
    env = deployment_env(m, "app")
    assert env["REDIS"] == (f"redis://:<secret:{R}-redis/REDIS_PASSWORD>@redis.example.com:6379"
                            "?caCertPath=/etc/ssl/certs/redis_ca.pem&tls=true&ttlInSeconds=604800")
    mounts = {v["name"]: v for v in m.container("Deployment", f"{R}-app")["volumeMounts"]}
    assert mounts["redis-ca"]["mountPath"] == "/etc/ssl/certs/redis_ca.pem"
    assert not m.has("StatefulSet", f"{R}-redis")


def test_redis_auth_secret(example):
    m = example("redis-auth-secret")
    env = deployment_env(m, "parquet")
    assert env["REDIS"] == "redis://:<secret:redis-secret/redis-password>@redis.example:9001?ttlInSeconds=604800"
    assert not m.has("Secret", f"{R}-redis")


def test_ldap(example):
    m = example("ldap")
    env = deployment_env(m, "app")
    assert env["LOCAL_LDAP_ADDRESS"] == "ldap://ldap.example.com:389"
    assert env["LOCAL_LDAP_BASE_DN"] == "dc=example,dc=com"
    assert env["LOCAL_LDAP_BIND_DN"] == "cn=admin,dc=example,dc=com"
    assert env["LOCAL_LDAP_BIND_PW"] == f"<secret:{R}-ldap/LDAP_BIND_PW>"
    assert env["LOCAL_LDAP_ATTRIBUTES"] == "email=mail,group=gidNumber"
    assert env["LOCAL_LDAP_TLS_ENABLE"] == "false"
    assert env["LOCAL_LDAP_LOGIN"] == "true"
    assert "ldap-tls-cert" not in [v["name"] for v in m.pod("Deployment", f"{R}-app").get("volumes", [])]


def test_ldap_tls(example):
    m = example("ldap-tls")
    env = deployment_env(m, "app")
    assert env["LOCAL_LDAP_TLS_ENABLE"] == "true"
    vols = {v["name"]: v for v in m.pod("Deployment", f"{R}-app")["volumes"]}
    assert vols["ldap-tls-cert"]["configMap"] == {"name": "ldap-tls-cert",
                                                   "items": [{"key": "certificate.crt", "path": "certificate.crt"}]}
    mounts = {v["name"]: v for v in m.container("Deployment", f"{R}-app")["volumeMounts"]}
    assert mounts["ldap-tls-cert"]["mountPath"] == "/usr/local/share/ca-certificates/ldap"
    assert "/usr/local/share/ca-certificates/ldap" in env["SSL_CERT_DIR"].split(":")


def test_oidc(example):
    m = example("oidc")
    env = deployment_env(m, "app")
    assert env["OIDC_CLIENT_ID"] == env["GORILLA_OIDC_CLIENT_ID"] == "0oa1example2client3id"
    assert env["OIDC_ISSUER"] == "https://example.okta.com/oauth2/default"
    assert env["OIDC_AUTH_METHOD"] == "pkce"
    assert env["OIDC_SECRET"] == f"<secret:{R}-oidc/OIDC_SECRET>"
    assert env["GORILLA_SESSION_LENGTH"] == "720h"


def test_smtp(example):
    m = example("smtp")
    env = deployment_env(m, "app")
    assert env["GORILLA_EMAIL_SINK"] == f"smtp://wandb@example.com:<secret:{R}-smtp/SMTP_PASSWORD>@smtp.example.com:587"


def test_extra_env(example):
    m = example("extra-env")
    for d in m.all("Deployment"):
        env = resolved_env(d["spec"]["template"]["spec"]["containers"][0])
        assert env["GLOBAL_ENV"] == "example", d["metadata"]["name"]


def test_custom_ca_certs(example):
    m = example("custom-ca-certs")
    cm = m.get("ConfigMap", f"{R}-ca-certs")
    assert sorted(cm["data"]) == ["customCA0.crt", "customCA1.crt"]
    assert cm["data"]["customCA0.crt"].startswith("-----BEGIN CERTIFICATE-----")
    for d in m.all("Deployment"):
        pod = d["spec"]["template"]["spec"]
        vols = {v["name"]: v for v in pod["volumes"]}
        assert vols["wandb-ca-certs"]["configMap"]["name"] == f"{R}-ca-certs"
        mounts = {v["name"]: v["mountPath"] for v in pod["containers"][0]["volumeMounts"]}
        assert mounts["wandb-ca-certs"] == "/usr/local/share/ca-certificates/inline"
        env = resolved_env(pod["containers"][0])
        assert "/usr/local/share/ca-certificates/inline" in env["SSL_CERT_DIR"].split(":")


def test_ca_certs_configmap(example):
    m = example("ca-certs-configmap")
    assert not m.has("ConfigMap", f"{R}-ca-certs")
    for d in m.all("Deployment"):
        pod = d["spec"]["template"]["spec"]
        vols = {v["name"]: v for v in pod["volumes"]}
        assert vols["wandb-ca-certs-user"]["configMap"]["name"] == "custom-ca-certs"
        mounts = {v["name"]: v["mountPath"] for v in pod["containers"][0]["volumeMounts"]}
        assert mounts["wandb-ca-certs-user"] == "/usr/local/share/ca-certificates/configmap"


def test_security_context_example(example):
    m = example("security-context")
    pod = m.pod("Deployment", f"{R}-app")
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 1001, "runAsGroup": 0, "fsGroup": 1001,
                                      "fsGroupChangePolicy": "Always", "seccompProfile": {"type": "RuntimeDefault"}}
    sc = pod["containers"][0]["securityContext"]
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is False
    # Other components keep the defaults.
    assert m.pod("Deployment", f"{R}-console")["securityContext"]["runAsUser"] == 999


def test_airgapped(example):
    m = example("airgapped")
    assert example_cr("airgapped")["spec"]["chart"] == {"url": "http://charts.yourdomain.com",
                                                         "name": "operator-wandb", "version": "0.18.0"}
    images = {}
    for w in m.workloads():
        spec = w["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            images[c["image"]] = w["metadata"]["name"]
        assert spec["imagePullSecrets"] == [{"name": "registry-credentials"}], w["metadata"]["name"]
        assert spec["nodeSelector"] == {"wandb.com/pool": "wandb"}
        assert spec["tolerations"][0]["key"] == "dedicated"
    assert all(i.startswith("registry.yourdomain.com/") for i in images), images
    assert "registry.yourdomain.com/local:0.59.2" in images
    assert "registry.yourdomain.com/console:2.12.2" in images
    assert "registry.yourdomain.com/wandb/megabinary:0.74.1" in images
    env = deployment_env(m, "app")
    assert env["BUCKET"] == (f"s3://<secret:{R}-bucket/ACCESS_KEY>:<secret:{R}-bucket/SECRET_KEY>"
                             "@s3.yourdomain.com:9000/bucket_name")
    assert env["MYSQL_HOST"] == "mysql.home.lab"
    assert env["ENABLE_REGISTRY_UI"] == "true"
    assert not m.has("StatefulSet", f"{R}-mysql")
    ing = m.get("Ingress", R)
    assert ing["spec"]["ingressClassName"] == "nginx"


def test_weave_external_clickhouse(example):
    m = example("weave-external-clickhouse")
    d = m.get("Deployment", f"{R}-weave-trace")
    env = resolved_env(d["spec"]["template"]["spec"]["containers"][0])
    assert env["WF_CLICKHOUSE_HOST"] == "clickhouse-wandb.clickhouse.svc.cluster.local"
    assert env["WF_CLICKHOUSE_PORT"] == "8123"
    assert env["WF_CLICKHOUSE_USER"] == "weave"
    assert env["WF_CLICKHOUSE_DATABASE"] == "weave"
    assert env["WF_CLICKHOUSE_PASS"] == f"<secret:{R}-clickhouse/CLICKHOUSE_PASSWORD>"
    assert env["WF_CLICKHOUSE_REPLICATED"] == "true"
    assert env["WF_CLICKHOUSE_REPLICATED_CLUSTER"] == "weavecluster"
    assert env["WF_TRACE_SERVER_URL"] == "https://wandb.example.com/traces"
    init = d["spec"]["template"]["spec"]["initContainers"][0]
    assert init["command"] == ["python", "migrator.py"]
    assert resolved_env(init)["WF_CLICKHOUSE_HOST"] == env["WF_CLICKHOUSE_HOST"]
    assert d["spec"]["replicas"] == 1
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"] == {"limits": {"cpu": 4, "memory": "8Gi"}, "requests": {"cpu": 1, "memory": "4Gi"}}
    assert d["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert not m.has("StatefulSet", f"{R}-clickhouse")
    assert not m.all("HorizontalPodAutoscaler")
    app = deployment_env(m, "app")
    assert app["GORILLA_WEAVE_TRACE_SERVER_URL"] == "https://wandb.example.com/traces"
    assert f"system:serviceaccount:{NAMESPACE}:{R}-weave-trace" in app["GORILLA_INTERNAL_JWT_SUBJECTS_TO_ISSUERS"]


def test_weave_poc_runs_clickhouse(example):
    m = example("weave-poc")
    assert m.has("StatefulSet", f"{R}-clickhouse")
    env = deployment_env(m, "weave-trace")
    assert env["WF_CLICKHOUSE_HOST"] == f"{R}-clickhouse"
    assert env["WF_CLICKHOUSE_PORT"] == "8123"
    ch = resolved_env(m.container("StatefulSet", f"{R}-clickhouse"))
    assert ch["CLICKHOUSE_PASSWORD"] == env["WF_CLICKHOUSE_PASS"] == f"<secret:{R}-clickhouse/CLICKHOUSE_PASSWORD>"
    assert ch["CLICKHOUSE_DB"] == env["WF_CLICKHOUSE_DATABASE"] == "weave_trace_db"


def test_split_services(example):
    m = example("split-services")
    assert not m.has("Deployment", f"{R}-app")
    for comp in ["api", "glue", "frontend", "executor", "filestream", "flat-run-fields-updater"]:
        assert m.has("Deployment", f"{R}-{comp}"), comp
    args = {c: m.container("Deployment", f"{R}-{c}").get("args") for c in ["api", "glue", "executor", "filestream"]}
    assert args == {"api": ["gorilla"], "glue": ["glue"], "executor": ["executor"], "filestream": ["filestream"]}
    paths = {p["path"]: p["backend"]["service"]["name"] for p in m.get("Ingress", R)["spec"]["rules"][0]["http"]["paths"]}
    assert paths["/"] == f"{R}-frontend"
    assert paths["/api"] == paths["/graphql"] == paths["/graphql2"] == f"{R}-api"
    assert deployment_env(m, "api")["GORILLA_TASK_QUEUE"].startswith("redis://")
    assert deployment_env(m, "executor")["GORILLA_TASK_QUEUE"].endswith("&concurrency=10")
    assert deployment_env(m, "console")["AUTH_SERVICE"] == f"{R}-api:8081"
    assert deployment_env(m, "weave")["WANDB_BASE_URL"] == f"http://{R}-api:8081/"
    # size: medium preset
    assert m.get("Deployment", f"{R}-parquet")["spec"]["replicas"] == 2


@pytest.mark.parametrize("name", EXAMPLES)
def test_wiring(name, example):
    """Services select exactly one workload and target named ports it has; probes use
    existing ports; every volumeMount has its volume; RoleBindings name rendered Roles."""
    m = example(name)
    pods = {}
    for w in m.workloads():
        if w["kind"] == "Job":
            continue
        t = w["spec"]["template"]
        assert all(t["metadata"]["labels"].get(k) == v for k, v in w["spec"]["selector"]["matchLabels"].items())
        pods[w["metadata"]["name"]] = t
        spec = t["spec"]
        vol_names = {v["name"] for v in spec.get("volumes", [])}
        vol_names |= {c["metadata"]["name"] for c in w["spec"].get("volumeClaimTemplates", [])}
        for c in spec.get("initContainers", []) + spec["containers"]:
            ports = {p["name"] for p in c.get("ports", [])}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                p = c.get(probe)
                if p:
                    port = (p.get("httpGet") or p.get("tcpSocket") or {}).get("port")
                    assert port is None or port in ports, (w["metadata"]["name"], probe, port)
            for vm in c.get("volumeMounts", []):
                assert vm["name"] in vol_names, (w["metadata"]["name"], vm["name"])
    for svc in m.all("Service"):
        sel = svc["spec"]["selector"]
        matches = [n for n, t in pods.items() if all(t["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        assert len(matches) == 1, (svc["metadata"]["name"], matches)
        cports = {p["name"] for c in pods[matches[0]]["spec"]["containers"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            assert p["targetPort"] in cports, (svc["metadata"]["name"], p)
    roles = set(m.names("Role"))
    for rb in m.all("RoleBinding"):
        assert rb["roleRef"]["name"] in roles
    sas = set(m.names("ServiceAccount"))
    for n, t in pods.items():
        sa = t["spec"].get("serviceAccountName")
        vals = example_values(name)
        comp = n[len(R) + 1:]
        created = ((vals.get(comp) or {}).get("serviceAccount") or {}).get("create", True)
        if sa and created:
            assert sa in sas, (n, sa)


def test_api_component(example):
    m = example("api-component")
    d = m.get("Deployment", f"{R}-api")
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1000m", "memory": "1Gi"}}
    assert m.has("Deployment", f"{R}-app")  # api next to the monolith
    paths = {p["path"]: p["backend"]["service"]["name"] for p in m.get("Ingress", R)["spec"]["rules"][0]["http"]["paths"]}
    assert paths["/"] == f"{R}-app" and paths["/graphql"] == f"{R}-api"


def test_production_external(example):
    m = example("production-external")
    env = deployment_env(m, "app")
    assert env["MYSQL"] == "mysql://wandb:<secret:mysql-secret/MYSQL_PASSWORD>@mysql.example.com:3306/wandb_local?tls=preferred"
    assert env["REDIS"] == "redis://redis.example.com:6379?ttlInSeconds=604800"
    assert not m.has("StatefulSet", f"{R}-mysql") and not m.has("StatefulSet", f"{R}-redis")
    assert m.has("StatefulSet", f"{R}-minio")


# One custom resource per configuration example of the specification (issue 5's list).
REQUIRED_EXAMPLES = {
    "gcp-full", "bucket-s3", "bucket-gcs", "bucket-azure", "bucket-s3-compatible", "bucket-secret",
    "bucket-extraenv", "mysql-external", "mysql-password-secret", "license-secret", "ingress-no-tls",
    "ingress-tls", "ingress-nginx-body-size", "serviceaccount-create", "serviceaccount-existing",
    "serviceaccount-app-console", "serviceaccount-different", "redis-external", "redis-auth-secret",
    "ldap", "ldap-tls", "oidc", "smtp", "extra-env", "custom-ca-certs", "ca-certs-configmap",
    "security-context", "airgapped", "weave-external-clickhouse", "minimal", "api-component",
    "production-external",
}


def test_every_specification_example_is_present():
    assert REQUIRED_EXAMPLES <= set(EXAMPLES), sorted(REQUIRED_EXAMPLES - set(EXAMPLES))
