{{/*
Env bundles. Each emits a YAML list; values are JSON-encoded strings so that any
character survives. "wandb.env" turns bundles into the final env list: a name set in
global.extraEnv or <component>.extraEnv replaces the bundle entry in place (so that
later $(VAR) references still see it), the remaining extra names follow, sorted. Within
the bundles a later entry of the same name replaces an earlier one, in place.
*/}}

{{- define "wandb.env" -}}
{{- $extra := dict -}}
{{- range $k, $v := (.root.Values.global.extraEnv | default dict) }}{{ $_ := set $extra $k $v }}{{ end -}}
{{- range $k, $v := ((index .root.Values .comp).extraEnv | default dict) }}{{ $_ := set $extra $k $v }}{{ end -}}
{{- $out := list -}}
{{- $seen := dict -}}
{{- $last := dict -}}
{{- $bundle := fromYamlArray .bundle -}}
{{- range $e := $bundle }}{{ $_ := set $last $e.name $e }}{{ end -}}
{{- range $e := $bundle -}}
{{- if not (hasKey $seen $e.name) -}}
{{- $_ := set $seen $e.name true -}}
{{- if hasKey $extra $e.name -}}
{{- $out = append $out (include "wandb.env.extraItem" (dict "name" $e.name "value" (index $extra $e.name)) | fromYaml) -}}
{{- else -}}
{{- $out = append $out (index $last $e.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $k := (keys $extra | sortAlpha) -}}
{{- if not (hasKey $seen $k) -}}
{{- $out = append $out (include "wandb.env.extraItem" (dict "name" $k "value" (index $extra $k)) | fromYaml) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* An extraEnv entry: a scalar becomes value, a map (valueFrom: ...) is copied. */}}
{{- define "wandb.env.extraItem" -}}
name: {{ .name | toJson }}
{{- if kindIs "map" .value }}
{{ toYaml .value }}
{{- else if kindIs "invalid" .value }}
value: ""
{{- else }}
value: {{ .value | toString | toJson }}
{{- end }}
{{- end -}}

{{- define "wandb.env.secretRef" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .name | toJson }}
      key: {{ .key | toJson }}
{{- if .optional }}
      optional: true
{{- end }}
{{- end -}}

{{/* License: Secret <release>-license or global.licenseSecret. */}}
{{- define "wandb.license.secretName" -}}
{{- .Values.global.licenseSecret.name | default (printf "%s-license" .Release.Name) -}}
{{- end -}}
{{- define "wandb.license.secretKey" -}}
{{- if .Values.global.licenseSecret.name -}}{{- .Values.global.licenseSecret.key | default "license" -}}{{- else -}}license{{- end -}}
{{- end -}}

{{- define "wandb.env.license" -}}
{{ include "wandb.env.secretRef" (dict "env" "LICENSE" "name" (include "wandb.license.secretName" .) "key" (include "wandb.license.secretKey" .)) }}
{{ include "wandb.env.secretRef" (dict "env" "GORILLA_LICENSE" "name" (include "wandb.license.secretName" .) "key" (include "wandb.license.secretKey" .)) }}
{{- end -}}

{{/* MySQL */}}
{{- define "wandb.mysql.host" -}}
{{- $m := .Values.global.mysql -}}
{{- if $m.host -}}{{- $m.host -}}
{{- else if .Values.mysql.install -}}{{ .Release.Name }}-mysql
{{- else -}}{{- fail "global.mysql.host is required when mysql.install is false" -}}
{{- end -}}
{{- end -}}
{{- define "wandb.mysql.secretName" -}}
{{- .Values.global.mysql.passwordSecret.name | default (printf "%s-mysql" .Release.Name) -}}
{{- end -}}
{{- define "wandb.mysql.passwordKey" -}}
{{- if .Values.global.mysql.passwordSecret.name -}}{{- .Values.global.mysql.passwordSecret.passwordKey | default "MYSQL_PASSWORD" -}}{{- else -}}MYSQL_PASSWORD{{- end -}}
{{- end -}}
{{- define "wandb.mysql.rootPasswordKey" -}}
{{- if .Values.global.mysql.passwordSecret.name -}}{{- .Values.global.mysql.passwordSecret.rootPasswordKey | default "MYSQL_ROOT_PASSWORD" -}}{{- else -}}MYSQL_ROOT_PASSWORD{{- end -}}
{{- end -}}

{{- define "wandb.env.mysql" -}}
{{- $m := .Values.global.mysql -}}
- name: MYSQL_HOST
  value: {{ include "wandb.mysql.host" . | toJson }}
- name: MYSQL_PORT
  value: {{ $m.port | default 3306 | toString | toJson }}
- name: MYSQL_DATABASE
  value: {{ $m.database | default "wandb_local" | toString | toJson }}
- name: MYSQL_USER
  value: {{ $m.user | default "wandb" | toString | toJson }}
{{ include "wandb.env.secretRef" (dict "env" "MYSQL_PASSWORD" "name" (include "wandb.mysql.secretName" .) "key" (include "wandb.mysql.passwordKey" .)) }}
- name: MYSQL
  value: "mysql://$(MYSQL_USER):$(MYSQL_PASSWORD)@$(MYSQL_HOST):$(MYSQL_PORT)/$(MYSQL_DATABASE)?tls=preferred"
- name: GORILLA_METADATA_STORE
  value: "$(MYSQL)"
- name: GORILLA_RUN_STORE
  value: "$(MYSQL)"
- name: GORILLA_USAGE_STORE
  value: "$(MYSQL)"
- name: GORILLA_ANALYTICS_SINK
  value: "$(MYSQL)"
- name: GORILLA_FILE_STREAM_STORE_ADDRESS
  value: "$(MYSQL)"
- name: GORILLA_PARQUET_LIVE_HISTORY_STORE
  value: "$(MYSQL)"
- name: GORILLA_HISTORY_STORE
  value: {{ printf "http://%s-parquet:8087/_goRPC_,$(MYSQL)" .Release.Name | toJson }}
{{- end -}}

{{/* Redis */}}
{{- define "wandb.redis.host" -}}
{{- $r := .Values.global.redis -}}
{{- if $r.host -}}{{- $r.host -}}
{{- else if .Values.redis.install -}}{{ .Release.Name }}-redis
{{- else -}}{{- fail "global.redis.host is required when redis.install is false" -}}
{{- end -}}
{{- end -}}

{{/* Name and key of the Secret with the Redis password, or "" when Redis has no password. */}}
{{- define "wandb.redis.passwordRef" -}}
{{- $r := .Values.global.redis -}}
{{- $auth := $r.auth | default dict -}}
{{- if $auth.enabled -}}
{{- if not $auth.secret -}}{{- fail "global.redis.auth.secret is required when global.redis.auth.enabled is true" -}}{{- end -}}
{{- $auth.secret -}}/{{- $auth.key | default "REDIS_PASSWORD" -}}
{{- else if $r.password -}}
{{- .Release.Name -}}-redis/REDIS_PASSWORD
{{- end -}}
{{- end -}}

{{- define "wandb.redis.params" -}}
{{- $r := .Values.global.redis -}}
{{- $p := dict "ttlInSeconds" "604800" -}}
{{- $portParts := splitList "?" ($r.port | default 6379 | toString) -}}
{{- if gt (len $portParts) 1 -}}
{{- range (splitList "&" (index $portParts 1)) -}}
{{- $kv := splitList "=" . -}}
{{- if and (index $kv 0) (gt (len $kv) 1) }}{{ $_ := set $p (index $kv 0) (index $kv 1) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $k, $v := ($r.params | default dict) }}{{ $_ := set $p $k (toString $v) }}{{ end -}}
{{- range $k, $v := ($r.parameters | default dict) }}{{ $_ := set $p $k (toString $v) }}{{ end -}}
{{- if $r.caCert -}}
{{- $_ := set $p "tls" "true" -}}
{{- $_ := set $p "caCertPath" "/etc/ssl/certs/redis_ca.pem" -}}
{{- end -}}
{{- $pairs := list -}}
{{- range $k := (keys $p | sortAlpha) }}{{ $pairs = append $pairs (printf "%s=%s" $k (index $p $k)) }}{{ end -}}
?{{ join "&" $pairs }}
{{- end -}}

{{- define "wandb.env.redis" -}}
{{- $r := .Values.global.redis -}}
{{- $ref := include "wandb.redis.passwordRef" . -}}
- name: REDIS_HOST
  value: {{ include "wandb.redis.host" . | toJson }}
- name: REDIS_PORT
  value: {{ index (splitList "?" ($r.port | default 6379 | toString)) 0 | toJson }}
- name: REDIS_PARAMS
  value: {{ include "wandb.redis.params" . | toJson }}
{{- if $ref }}
{{ include "wandb.env.secretRef" (dict "env" "REDIS_PASSWORD" "name" (index (splitList "/" $ref) 0) "key" (index (splitList "/" $ref) 1)) }}
- name: REDIS
  value: "redis://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)$(REDIS_PARAMS)"
{{- else }}
- name: REDIS
  value: "redis://$(REDIS_HOST):$(REDIS_PORT)$(REDIS_PARAMS)"
{{- end }}
{{- range list "GORILLA_CACHE" "GORILLA_LOCKER" "GORILLA_SETTINGS_CACHE" "GORILLA_METADATA_CACHE" "GORILLA_AUDITOR_CACHE" "GORILLA_USAGE_METRICS_CACHE" "GORILLA_ACTIVITY_STORE_CACHE_ADDRESS" "GORILLA_FILE_METADATA_SOURCE" }}
- name: {{ . }}
  value: "$(REDIS)"
{{- end }}
- name: GORILLA_TASK_QUEUE
{{- if include "wandb.enabled" (list . "executor") }}
  value: "$(REDIS)"
{{- else }}
  value: "noop://"
{{- end }}
{{- end -}}

{{/*
Bucket mode: "external" (global.bucket.name), "env" (global.extraEnv.BUCKET given as a
connection string), "minio" (in-cluster MinIO).
*/}}
{{- define "wandb.bucket.mode" -}}
{{- $b := .Values.global.bucket -}}
{{- $sec := $b.secret | default dict -}}
{{- if $b.name -}}external
{{- else if or $b.accessKey $b.secretKey $sec.secretName -}}
{{- fail "global.bucket.name is required when global.bucket.accessKey, global.bucket.secretKey or global.bucket.secret.secretName is set" -}}
{{- else if hasKey (.Values.global.extraEnv | default dict) "BUCKET" -}}env
{{- else if .Values.minio.install -}}minio
{{- else -}}{{- fail "global.bucket.name is required when minio.install is false (or set global.extraEnv.BUCKET)" -}}
{{- end -}}
{{- end -}}

{{/* Secret holding bucket keys as "name/accessKeyName/secretKeyName", or "" without keys. */}}
{{- define "wandb.bucket.keysRef" -}}
{{- $mode := include "wandb.bucket.mode" . -}}
{{- $b := .Values.global.bucket -}}
{{- $sec := $b.secret | default dict -}}
{{- if eq $mode "minio" -}}
{{ .Release.Name }}-minio/MINIO_ROOT_USER/MINIO_ROOT_PASSWORD
{{- else if eq $mode "external" -}}
{{- if $sec.secretName -}}
{{ $sec.secretName }}/{{ $sec.accessKeyName | default "ACCESS_KEY" }}/{{ $sec.secretKeyName | default "SECRET_KEY" }}
{{- else if or $b.accessKey $b.secretKey -}}
{{ .Release.Name }}-bucket/{{ $sec.accessKeyName | default "ACCESS_KEY" }}/{{ $sec.secretKeyName | default "SECRET_KEY" }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "wandb.env.bucket" -}}
{{- $mode := include "wandb.bucket.mode" . -}}
{{- $b := .Values.global.bucket -}}
{{- $ref := include "wandb.bucket.keysRef" . -}}
{{- if eq $mode "env" }}
- name: BUCKET
  value: ""
{{- else }}
{{- $provider := $b.provider | default "s3" | toString -}}
{{- $name := $b.name | default "" | toString -}}
{{- $path := $b.path | default "" | toString | trimPrefix "/" | trimSuffix "/" -}}
{{- $region := $b.region | default "" | toString -}}
{{- if eq $mode "minio" -}}
{{- $provider = "s3" -}}
{{- $name = printf "%s-minio:9000/%s" .Release.Name .Values.minio.bucket -}}
{{- $path = "" -}}
{{- $region = "us-east-1" -}}
{{- end }}
- name: BUCKET_NAME
  value: {{ $name | toJson }}
- name: BUCKET_PATH
  value: {{ $path | toJson }}
- name: AWS_REGION
  value: {{ $region | toJson }}
- name: AWS_S3_KMS_ID
  value: {{ $b.kmsKey | default "" | toString | toJson }}
- name: GORILLA_DEFAULT_REGION
  value: {{ $region | default "minio-local" | toJson }}
{{- if $ref }}
{{- $parts := splitList "/" $ref }}
{{- if eq $provider "az" }}
{{- /* The storage-account key: secretKey as the specification shows, else accessKey. */}}
{{- $azKey := ternary (index $parts 1) (index $parts 2) (and (eq (include "wandb.bucket.mode" .) "external") (not $b.secretKey) (not ($b.secret | default dict).secretName) (ne ($b.accessKey | default "") "")) }}
{{ include "wandb.env.secretRef" (dict "env" "AZURE_STORAGE_KEY" "name" (index $parts 0) "key" $azKey) }}
{{- else }}
{{ include "wandb.env.secretRef" (dict "env" "BUCKET_ACCESS_KEY" "name" (index $parts 0) "key" (index $parts 1)) }}
{{ include "wandb.env.secretRef" (dict "env" "BUCKET_SECRET_KEY" "name" (index $parts 0) "key" (index $parts 2)) }}
{{- end }}
{{- end }}
{{- $suffix := ternary "/$(BUCKET_PATH)" "" (ne $path "") }}
- name: BUCKET
{{- if eq $provider "gcs" }}
  value: {{ printf "gs://$(BUCKET_NAME)%s" $suffix | toJson }}
{{- else if eq $provider "az" }}
  value: {{ printf "az://$(BUCKET_NAME)%s" $suffix | toJson }}
{{- else if and $ref (ne $provider "az") }}
  value: {{ printf "%s://$(BUCKET_ACCESS_KEY):$(BUCKET_SECRET_KEY)@$(BUCKET_NAME)%s" $provider $suffix | toJson }}
{{- else }}
  value: {{ printf "%s://$(BUCKET_NAME)%s" $provider $suffix | toJson }}
{{- end }}
{{- end }}
- name: GORILLA_FILE_STORE
  value: "$(BUCKET)"
- name: GORILLA_STORAGE_BUCKET
  value: "$(BUCKET)"
- name: GORILLA_RUN_UPDATE_SHADOW_QUEUE_OVERFLOW_BUCKET_STORE
  value: "$(BUCKET)"
{{- end -}}

{{/* TLS trust: Go reads every file in each SSL_CERT_DIR entry, so mounted CAs are trusted without update-ca-certificates. */}}
{{- define "wandb.env.ssl" -}}
- name: SSL_CERT_FILE
  value: /etc/ssl/certs/ca-certificates.crt
- name: SSL_CERT_DIR
  value: {{ include "wandb.ca.dirs" . | toJson }}
- name: REQUESTS_CA_BUNDLE
  value: /etc/ssl/certs/ca-certificates.crt
{{- end -}}

{{- define "wandb.env.session" -}}
{{ include "wandb.env.secretRef" (dict "env" "GORILLA_SESSION_KEY" "name" (printf "%s-session-key" .Release.Name) "key" "GORILLA_SESSION_KEY") }}
- name: GORILLA_SESSION_LENGTH
  value: {{ printf "%vh" (.Values.global.auth.sessionLengthHours | default 720) | toJson }}
{{- end -}}

{{/* OIDC single sign-on (app and api). */}}
{{- define "wandb.env.oidc" -}}
{{- $o := .Values.global.auth.oidc | default dict -}}
{{- if $o.clientId }}
- name: OIDC_CLIENT_ID
  value: {{ $o.clientId | toString | toJson }}
- name: OIDC_ISSUER
  value: {{ $o.issuer | default "" | toString | toJson }}
- name: OIDC_AUTH_METHOD
  value: {{ $o.authMethod | default "" | toString | toJson }}
- name: GORILLA_OIDC_CLIENT_ID
  value: {{ $o.clientId | toString | toJson }}
- name: GORILLA_OIDC_ISSUER
  value: {{ $o.issuer | default "" | toString | toJson }}
- name: GORILLA_AUTH_METHOD
  value: {{ $o.authMethod | default "" | toString | toJson }}
- name: GORILLA_CORS_ORIGINS
  value: {{ printf "%s,null" (include "wandb.url" .) | toJson }}
{{- $os := $o.oidcSecret | default dict }}
{{- if $os.name }}
{{ include "wandb.env.secretRef" (dict "env" "OIDC_SECRET" "name" $os.name "key" ($os.secretKey | default "OIDC_SECRET")) }}
{{ include "wandb.env.secretRef" (dict "env" "GORILLA_OIDC_SECRET" "name" $os.name "key" ($os.secretKey | default "OIDC_SECRET")) }}
{{- else if $o.secret }}
{{ include "wandb.env.secretRef" (dict "env" "OIDC_SECRET" "name" (printf "%s-oidc" .Release.Name) "key" "OIDC_SECRET") }}
{{ include "wandb.env.secretRef" (dict "env" "GORILLA_OIDC_SECRET" "name" (printf "%s-oidc" .Release.Name) "key" "OIDC_SECRET") }}
{{- end }}
{{- end }}
{{- end -}}

{{/* SMTP e-mail. */}}
{{- define "wandb.env.smtp" -}}
{{- $s := .Values.global.email.smtp | default dict -}}
{{- if $s.host }}
- name: SMTP_HOST
  value: {{ $s.host | toString | toJson }}
- name: SMTP_PORT
  value: {{ $s.port | default 587 | toString | toJson }}
- name: SMTP_USER
  value: {{ $s.user | default "" | toString | toJson }}
{{ include "wandb.env.secretRef" (dict "env" "SMTP_PASSWORD" "name" (printf "%s-smtp" .Release.Name) "key" "SMTP_PASSWORD") }}
- name: GORILLA_EMAIL_SINK
  value: "smtp://$(SMTP_USER):$(SMTP_PASSWORD)@$(SMTP_HOST):$(SMTP_PORT)"
{{- if $s.mailFrom }}
- name: GORILLA_EMAIL_FROM_ADDRESS
  value: {{ $s.mailFrom | toString | toJson }}
{{- end }}
{{- else }}
- name: GORILLA_EMAIL_SINK
  value: "https://api.wandb.ai/email/dispatch"
{{- end }}
{{- end -}}

{{/* LDAP (app). The bind password lives in Secret <release>-ldap. */}}
{{- define "wandb.env.ldap" -}}
{{- $l := .Values.global.ldap | default dict -}}
{{- if $l.enabled }}
{{- if not $l.host }}{{ fail "global.ldap.host is required when global.ldap.enabled is true" }}{{ end }}
- name: LOCAL_LDAP_LOGIN
  value: {{ ternary "true" "false" (ne (toString $l.login) "false") | toJson }}
- name: LOCAL_LDAP_ADDRESS
  value: {{ $l.host | toString | toJson }}
- name: LOCAL_LDAP_BASE_DN
  value: {{ $l.baseDN | default "" | toString | toJson }}
- name: LOCAL_LDAP_BIND_DN
  value: {{ $l.bindDN | default "" | toString | toJson }}
{{- if kindIs "map" $l.bindPW }}
{{- $n := $l.bindPW.name | default $l.bindPW.secret }}
{{- if not (and $n $l.bindPW.key) }}{{ fail "global.ldap.bindPW as a Secret reference needs name and key" }}{{ end }}
{{ include "wandb.env.secretRef" (dict "env" "LOCAL_LDAP_BIND_PW" "name" $n "key" $l.bindPW.key) }}
{{- else if $l.bindPW }}
{{ include "wandb.env.secretRef" (dict "env" "LOCAL_LDAP_BIND_PW" "name" (printf "%s-ldap" .Release.Name) "key" "LDAP_BIND_PW") }}
{{- end }}
- name: LOCAL_LDAP_ATTRIBUTES
  value: {{ $l.attributes | default "" | toString | toJson }}
- name: LOCAL_LDAP_GROUP_ALLOW_LIST
  value: {{ $l.groupAllowList | default "" | toString | toJson }}
- name: LOCAL_LDAP_TLS_ENABLE
  value: {{ ternary "true" "false" (eq (toString $l.tls) "true") | toJson }}
{{- end }}
{{- end -}}

{{/* Settings shared by weave-trace and the app when traces are on. */}}
{{- define "wandb.env.clickhouse" -}}
{{- $c := .Values.global.clickhouse -}}
{{- $host := include "wandb.clickhouse.host" . -}}
- name: WF_CLICKHOUSE_HOST
  value: {{ $host | toJson }}
- name: WF_CLICKHOUSE_PORT
  value: {{ include "wandb.clickhouse.port" . | toJson }}
- name: WF_CLICKHOUSE_DATABASE
  value: {{ $c.database | default "weave_trace_db" | toString | toJson }}
- name: WF_CLICKHOUSE_USER
  value: {{ $c.user | default "default" | toString | toJson }}
{{ include "wandb.env.secretRef" (dict "env" "WF_CLICKHOUSE_PASS" "name" (include "wandb.clickhouse.secretName" .) "key" (include "wandb.clickhouse.passwordKey" .)) }}
- name: WF_CLICKHOUSE_REPLICATED
  value: {{ ternary "true" "false" (eq (toString $c.replicated) "true") | toJson }}
{{- end -}}

{{- define "wandb.clickhouse.inCluster" -}}
{{- if and .Values.global.clickhouse.install .Values.clickhouse.install (not .Values.global.clickhouse.host) (include "wandb.enabled" (list . "weave-trace")) }}true{{ end -}}
{{- end -}}
{{- define "wandb.clickhouse.host" -}}
{{- $c := .Values.global.clickhouse -}}
{{- if $c.host -}}{{ $c.host }}
{{- else if and $c.install .Values.clickhouse.install -}}{{ .Release.Name }}-clickhouse
{{- else -}}{{- fail "global.clickhouse.host is required when global.clickhouse.install (or clickhouse.install) is false and weave-trace is on" -}}
{{- end -}}
{{- end -}}
{{- define "wandb.clickhouse.port" -}}
{{- $c := .Values.global.clickhouse -}}
{{- if $c.port -}}{{ $c.port | toString }}
{{- else if include "wandb.clickhouse.inCluster" . -}}8123
{{- else -}}8443
{{- end -}}
{{- end -}}
{{- define "wandb.clickhouse.secretName" -}}
{{- .Values.global.clickhouse.passwordSecret.name | default (printf "%s-clickhouse" .Release.Name) -}}
{{- end -}}
{{- define "wandb.clickhouse.passwordKey" -}}
{{- if .Values.global.clickhouse.passwordSecret.name -}}{{ .Values.global.clickhouse.passwordSecret.passwordKey | default "CLICKHOUSE_PASSWORD" }}{{- else -}}CLICKHOUSE_PASSWORD{{- end -}}
{{- end -}}

{{/* Downward API and on-prem switches shared by the Go backend components. */}}
{{- define "wandb.env.gorillaBase" -}}
- name: G_HOST_IP
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: GORILLA_CUSTOMER_SECRET_STORE_K8S_CONFIG_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: GOMEMLIMIT
  valueFrom:
    resourceFieldRef:
      resource: limits.memory
- name: GOMAXPROCS
  valueFrom:
    resourceFieldRef:
      resource: limits.cpu
- name: GORILLA_ONPREM
  value: "true"
- name: ONPREM
  value: "true"
- name: GORILLA_TSHIRT_SIZE
  value: {{ .Values.global.size | default "small" | toString | toJson }}
- name: GORILLA_SWEEP_PROVIDER
  value: {{ printf "http://%s-app:8082" .Release.Name | toJson }}
{{- end -}}
