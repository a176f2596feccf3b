"""Bad values: each must fail, and the message must name the offending key."""

import pytest

from lib import merge, channel_values
from render import RenderError, render

BASE = {"global": {"host": "https://wandb.example.com", "license": "x"}}

CASES = [
    # id, values on top of channel + BASE, substrings the error must contain
    ("typo-global-key", {"global": {"hots": "https://x"}}, ["/global", "'hots'"]),
    ("typo-component-key", {"app": {"replicas": 2}}, ["/app", "'replicas'"]),
    ("typo-nested-key", {"global": {"mysql": {"passwordSecret": {"passwordkey": "K"}}}},
     ["/global/mysql/passwordSecret", "'passwordkey'"]),
    ("unknown-component", {"weavetrace": {"install": True}}, ["'weavetrace'"]),
    ("port-wrong-type", {"global": {"mysql": {"port": True}}}, ["/global/mysql/port"]),
    ("replicas-string", {"app": {"replicaCount": "2"}}, ["/app/replicaCount"]),
    ("install-string", {"mysql": {"install": "no"}}, ["/mysql/install"]),
    ("tls-not-a-list", {"ingress": {"tls": {"secretName": "x"}}}, ["/ingress/tls"]),
    ("annotations-not-a-map", {"ingress": {"annotations": ["a"]}}, ["/ingress/annotations"]),
    ("bucket-provider", {"global": {"bucket": {"provider": "s4", "name": "b"}}}, ["/global/bucket/provider"]),
    ("host-without-scheme", {"global": {"host": "wandb.example.com"}}, ["/global/host"]),
    ("global-size", {"global": {"size": "huge"}}, ["/global/size"]),
    ("cloud-provider", {"global": {"cloudProvider": "digitalocean"}}, ["/global/cloudProvider"]),
    ("session-length-string", {"global": {"auth": {"sessionLengthHours": "720h"}}},
     ["/global/auth/sessionLengthHours"]),
    ("pull-secret-type", {"global": {"imagePullSecrets": [{"nam": "x"}]}}, ["/global/imagePullSecrets"]),
    ("ca-list-item-type", {"global": {"customCACerts": [{"pem": "x"}]}}, ["/global/customCACerts"]),
    ("run-as-group-pod", {"app": {"pod": {"securityContext": {"runAsGroup": 1000}}}},
     ["app.pod.securityContext.runAsGroup must be 0"]),
    ("run-as-group-podSecurityContext", {"parquet": {"podSecurityContext": {"runAsGroup": 1000}}},
     ["parquet.podSecurityContext.runAsGroup must be 0"]),
    ("run-as-group-container", {"console": {"container": {"securityContext": {"runAsGroup": 1000}}}},
     ["console.container.securityContext.runAsGroup must be 0"]),
    ("run-as-group-securityContext", {"weave-trace": {"install": True, "securityContext": {"runAsGroup": 1000}}},
     ["weave-trace.securityContext.runAsGroup must be 0"]),
    ("run-as-group-wrong-type", {"weave": {"pod": {"securityContext": {"runAsGroup": "0"}}}},
     ["/weave/pod/securityContext/runAsGroup"]),
    ("ca-map-key-without-crt", {"global": {"customCACerts": {"my-ca.pem": "-----BEGIN CERTIFICATE-----"}}},
     ["global.customCACerts", "my-ca.pem", ".crt"]),
    ("ca-configmap-key-without-crt", {"global": {"caCertsConfigMap": "custom-ca-certs",
                                                 "caCertsConfigMapKeys": ["ca-cert1.crt", "ca-cert2.pem"]}},
     ["global.caCertsConfigMapKeys", "ca-cert2.pem", ".crt"]),
    ("ca-configmap-keys-without-name", {"global": {"caCertsConfigMapKeys": ["a.crt"]}},
     ["global.caCertsConfigMap is required"]),
    ("s3-keys-without-name", {"global": {"bucket": {"provider": "s3", "accessKey": "a", "secretKey": "b"}}},
     ["global.bucket.name is required"]),
    ("s3-secret-without-name", {"global": {"bucket": {"secret": {"secretName": "bucket-secret"}}}},
     ["global.bucket.name is required"]),
    ("no-bucket-without-minio", {"minio": {"install": False}}, ["global.bucket.name is required", "minio.install"]),
    ("external-mysql-without-host", {"mysql": {"install": False}}, ["global.mysql.host is required"]),
    ("external-redis-without-host", {"redis": {"install": False}}, ["global.redis.host is required"]),
    ("redis-auth-without-secret", {"global": {"redis": {"auth": {"enabled": True}}}},
     ["global.redis.auth.secret is required"]),
    ("ldap-bindpw-ref-without-key", {"global": {"ldap": {"enabled": True, "host": "ldap://l",
                                                         "bindPW": {"name": "s"}}}}, ["global.ldap.bindPW"]),
    ("ldap-without-host", {"global": {"ldap": {"enabled": True}}}, ["global.ldap.host is required"]),
    ("external-clickhouse-without-host",
     {"global": {"weave-trace": {"enabled": True}, "clickhouse": {"install": False}}},
     ["global.clickhouse.host is required"]),
    ("unknown-size", {"weave": {"size": "huge"}}, ["weave.size", "huge"]),
    ("image-tag-number", {"app": {"image": {"tag": 1.1}}}, ["/app/image/tag"]),
    ("nothing-serves-root", {"app": {"install": False}}, ["app.install", "frontend.install"]),
    ("empty-image-tag", {"app": {"image": {"tag": ""}}}, ["app.image.tag is required"]),
]


@pytest.mark.parametrize("case_id,values,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_values_fail_naming_the_key(case_id, values, needles):
    vals = merge(merge(channel_values(), BASE), values)
    with pytest.raises(RenderError) as err:
        render(vals)
    msg = str(err.value)
    for n in needles:
        assert n in msg, f"{case_id}: {n!r} not in error: {msg}"


def test_good_base_renders():
    """The base of the bad cases is itself fine, so each failure is the case's own."""
    assert "kind: Deployment" in render(merge(channel_values(), BASE))
