#!/usr/bin/env python3
"""Writes ../values.schema.json. The schema is built here, once per component, instead
of being edited by hand; tests/test_schema.py fails when the file is out of date.

Rules: every map whose key set the chart defines is closed (additionalProperties:
false) so that a typo fails with the key's path; free-form maps (extraEnv,
annotations, labels, nodeSelector, resources, affinity, security contexts) stay open.
"""

import json
import os
import sys

S = {"type": "string"}
B = {"type": "boolean"}
INT = {"type": "integer", "minimum": 0}
PORT = {"type": ["integer", "string"]}
OPEN = {"type": "object"}
STRMAP = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}


def closed(props, **extra):
    return {"type": "object", "additionalProperties": False, "properties": props, **extra}


IMAGE = closed({
    "repository": {"type": "string", "minLength": 1},
    # A string only: YAML reads an unquoted 1.10 as the number 1.1.
    "tag": {"type": "string"},
    "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
})
PULL_SECRETS = {"type": "array", "items": {"anyOf": [S, closed({"name": S}, required=["name"])]}}
SECURITY_CONTEXT = {"type": "object", "properties": {
    "runAsGroup": {"type": ["integer", "null"]},
    "runAsUser": {"type": ["integer", "null"]},
    "fsGroup": {"type": ["integer", "null"]},
    "runAsNonRoot": {"type": ["boolean", "null"]},
    "fsGroupChangePolicy": {"enum": ["Always", "OnRootMismatch", None]},
    "allowPrivilegeEscalation": {"type": ["boolean", "null"]},
    "readOnlyRootFilesystem": {"type": ["boolean", "null"]},
    "privileged": {"type": ["boolean", "null"]},
    "capabilities": {"type": ["object", "null"]},
    "seccompProfile": {"type": ["object", "null"]},
}}
TOLERATIONS = {"type": "array", "items": OPEN}
SCHED = {
    "nodeSelector": STRMAP,
    "tolerations": TOLERATIONS,
    "affinity": OPEN,
}
PERSISTENCE = closed({"size": S, "storageClass": S})
EXTRA_ENV = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "object"]}}
SIZING_ENTRY = closed({
    "replicaCount": INT,
    "resources": OPEN,
    "autoscaling": closed({"horizontal": closed({
        "enabled": B, "minReplicas": INT, "maxReplicas": INT, "targetCPUUtilizationPercentage": INT,
    })}),
})


def component(extra=None):
    props = {
        "install": B,
        "enabled": {"type": ["boolean", "null"], "description": "alias of install; wins when set"},
        "image": IMAGE,
        "replicaCount": {"type": ["integer", "null"], "minimum": 0},
        "size": S,
        "sizing": {"type": "object", "additionalProperties": SIZING_ENTRY},
        "resources": OPEN,
        "extraEnv": EXTRA_ENV,
        "serviceAccount": closed({"create": B, "name": S, "annotations": STRMAP}),
        "pod": closed({"securityContext": SECURITY_CONTEXT}),
        "container": closed({"securityContext": SECURITY_CONTEXT}),
        "podSecurityContext": SECURITY_CONTEXT,
        "securityContext": SECURITY_CONTEXT,
        "imagePullSecrets": PULL_SECRETS,
        "podLabels": STRMAP,
        "podAnnotations": STRMAP,
        "priorityClassName": S,
        **SCHED,
    }
    props.update(extra or {})
    return closed(props)


def store(extra=None):
    props = {"install": B, "image": IMAGE, "persistence": PERSISTENCE, "resources": OPEN,
             "imagePullSecrets": PULL_SECRETS, "priorityClassName": S, **SCHED}
    props.update(extra or {})
    return closed(props)


GLOBAL = closed({
    "host": {"type": "string", "pattern": "^https?://[^/?#]+", "description": "public URL with scheme"},
    "license": S,
    "licenseSecret": closed({"name": S, "key": S}),
    "cloudProvider": {"enum": ["", "aws", "gcp", "azure"]},
    "storageClass": S,
    "size": {"enum": ["small", "medium", "large"]},
    "imageRegistry": S,
    "imagePullSecrets": PULL_SECRETS,
    "priorityClassName": S,
    "podLabels": STRMAP,
    "podAnnotations": STRMAP,
    "extraEnv": EXTRA_ENV,
    **SCHED,
    "bucket": closed({
        "provider": {"enum": ["s3", "gcs", "az"]},
        "name": S, "path": S, "region": S,
        "kmsKey": {"type": ["string", "null"]},
        "accessKey": S, "secretKey": S,
        "secret": closed({"secretName": S, "accessKeyName": S, "secretKeyName": S}),
    }),
    "mysql": closed({
        "host": S, "port": PORT, "database": S, "user": S, "password": S,
        "name": {"type": "string", "description": "accepted for compatibility; database is used"},
        "passwordSecret": closed({"name": S, "passwordKey": S, "rootPasswordKey": S}),
    }),
    "redis": closed({
        "host": S, "port": PORT, "password": S, "caCert": S,
        "parameters": STRMAP, "params": STRMAP,
        "external": {"type": "boolean", "description": "accepted for compatibility; not read"},
        "auth": closed({"enabled": B, "secret": S, "key": S}),
    }),
    "clickhouse": closed({
        "install": B, "host": S, "port": PORT, "database": S, "user": S, "password": S,
        "passwordSecret": closed({"name": S, "passwordKey": S}),
        "replicated": B,
    }),
    "weave-trace": closed({"enabled": B}),
    "api": closed({"enabled": B}),
    "glue": closed({"enabled": B}),
    "executor": closed({"enabled": B}),
    "auth": closed({
        "sessionLengthHours": {"type": "integer", "minimum": 1},
        "oidc": closed({"clientId": S, "secret": S, "authMethod": S, "issuer": S,
                        "oidcSecret": closed({"name": S, "secretKey": S})}),
    }),
    "email": closed({"smtp": closed({"host": S, "port": PORT, "user": S, "password": S, "mailFrom": S})}),
    "ldap": closed({
        "enabled": B,
        "host": {"type": ["string", "null"]},
        "baseDN": {"type": ["string", "null"]},
        "bindDN": {"type": ["string", "null"]},
        "bindPW": {"anyOf": [{"type": ["string", "null"]}, closed({"name": S, "secret": S, "key": S})],
                   "description": "the password, or {name, key} of an existing Secret holding it"},
        "attributes": {"type": ["string", "null"]},
        "groupAllowList": {"type": ["string", "null"]},
        "tls": B,
        "login": B,
        "tlsCert": closed({"configMap": closed({"name": S, "key": S})}),
    }),
    "customCACerts": {"anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "additionalProperties": {"type": "string"}},
    ]},
    "caCertsConfigMap": S,
    "caCertsConfigMapKeys": {"type": "array", "items": {"type": "string"}},
    # Injected by the wandb-operator (its defaults layer); unused by the templates.
    "operator": closed({"namespace": S, "apiVersion": S}),
})

INGRESS = closed({
    "install": B,
    "class": S,
    "annotations": STRMAP,
    "labels": STRMAP,
    "tls": {"type": "array", "items": closed({"secretName": S, "hosts": {"type": "array", "items": S}})},
    "additionalHosts": {"type": "array", "items": S},
})

SCHEMA = {
    "$schema": "https://json-schema.org/draft-07/schema#",
    "title": "operator-wandb values",
    **closed({
        "global": GLOBAL,
        "ingress": INGRESS,
        "app": component({"internalJWTIssuer": S}),
        "console": component(),
        "parquet": component(),
        "weave": component({"cache": closed({"size": S})}),
        "weave-trace": component(),
        "api": component(),
        "glue": component(),
        "frontend": component(),
        "executor": component({"workerConcurrency": {"type": "integer", "minimum": 1}}),
        "filestream": component(),
        "flat-run-fields-updater": component(),
        "mysql": store(),
        "redis": store(),
        "minio": store({"bucket": {"type": "string", "minLength": 3}, "clientImage": IMAGE}),
        "clickhouse": store(),
    }),
}


def render():
    return json.dumps(SCHEMA, indent=2) + "\n"


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "values.schema.json")
    if sys.argv[1:] == ["--check"]:
        with open(out) as fh:
            sys.exit(0 if fh.read() == render() else "values.schema.json is out of date: run schema/gen_schema.py")
    with open(out, "w") as fh:
        fh.write(render())
