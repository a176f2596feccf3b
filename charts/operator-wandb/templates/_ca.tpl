{{/*
CA certificates. global.customCACerts (list of PEM, or map of <file>.crt -> PEM) go
into ConfigMap <release>-ca-certs; global.caCertsConfigMap names a user ConfigMap.
Both are mounted under /usr/local/share/ca-certificates/ and listed in SSL_CERT_DIR.
*/}}

{{/* Map of file name -> PEM from global.customCACerts, checked. */}}
{{- define "wandb.ca.files" -}}
{{- $certs := .Values.global.customCACerts -}}
{{- $files := dict -}}
{{- if kindIs "map" $certs -}}
{{- range $k, $v := $certs -}}
{{- if not (hasSuffix ".crt" $k) -}}
{{- fail (printf "global.customCACerts: key %q must end in .crt (update-ca-certificates only reads *.crt files)" $k) -}}
{{- end -}}
{{- $_ := set $files $k (toString $v) -}}
{{- end -}}
{{- else if $certs -}}
{{- range $i, $v := $certs -}}
{{- if not (kindIs "string" $v) -}}
{{- fail (printf "global.customCACerts[%d] must be a PEM string" $i) -}}
{{- end -}}
{{- $_ := set $files (printf "customCA%d.crt" $i) $v -}}
{{- end -}}
{{- end -}}
{{- toYaml $files -}}
{{- end -}}

{{/* Check the keys of global.caCertsConfigMap when the cluster can be read (lookup). */}}
{{- define "wandb.ca.checkConfigMap" -}}
{{- $name := .Values.global.caCertsConfigMap -}}
{{- range (.Values.global.caCertsConfigMapKeys | default list) -}}
{{- if not (hasSuffix ".crt" .) -}}
{{- fail (printf "global.caCertsConfigMapKeys: key %q must end in .crt (update-ca-certificates only reads *.crt files)" .) -}}
{{- end -}}
{{- end -}}
{{- if and (.Values.global.caCertsConfigMapKeys | default list) (not $name) -}}
{{- fail "global.caCertsConfigMap is required when global.caCertsConfigMapKeys is set" -}}
{{- end -}}
{{- if $name -}}
{{- $cm := lookup "v1" "ConfigMap" .Release.Namespace $name -}}
{{- if $cm -}}
{{- range $k, $_ := ($cm.data | default dict) -}}
{{- if not (hasSuffix ".crt" $k) -}}
{{- fail (printf "global.caCertsConfigMap: key %q of ConfigMap %s must end in .crt (update-ca-certificates only reads *.crt files)" $k $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "wandb.ca.dirs" -}}
{{- $dirs := list "/etc/ssl/certs" -}}
{{- if (include "wandb.ca.files" . | fromYaml) }}{{ $dirs = append $dirs "/usr/local/share/ca-certificates/inline" }}{{ end -}}
{{- if .Values.global.caCertsConfigMap }}{{ $dirs = append $dirs "/usr/local/share/ca-certificates/configmap" }}{{ end -}}
{{- $l := .Values.global.ldap | default dict -}}
{{- if and $l.enabled $l.tls (($l.tlsCert | default dict).configMap | default dict).name }}{{ $dirs = append $dirs "/usr/local/share/ca-certificates/ldap" }}{{ end -}}
{{- join ":" $dirs -}}
{{- end -}}

{{/* Volumes for a W&B pod: (dict "root" $ "comp" "app"). Emits list items or nothing. */}}
{{- define "wandb.ca.volumes" -}}
{{- $r := .root -}}
{{- if (include "wandb.ca.files" $r | fromYaml) }}
- name: wandb-ca-certs
  configMap:
    name: {{ $r.Release.Name }}-ca-certs
{{- end }}
{{- with $r.Values.global.caCertsConfigMap }}
- name: wandb-ca-certs-user
  configMap:
    name: {{ . }}
    {{- with ($r.Values.global.caCertsConfigMapKeys | default list) }}
    items:
      {{- range . }}
      - key: {{ . }}
        path: {{ . }}
      {{- end }}
    {{- end }}
{{- end }}
{{- if $r.Values.global.redis.caCert }}
- name: redis-ca
  secret:
    secretName: {{ $r.Release.Name }}-redis
    items:
      - key: REDIS_CA_CERT
        path: redis_ca.pem
{{- end }}
{{- $l := $r.Values.global.ldap | default dict -}}
{{- if and $l.enabled $l.tls (has .comp (list "app" "api")) }}
{{- $cm := (($l.tlsCert | default dict).configMap | default dict) }}
{{- if $cm.name }}
- name: ldap-tls-cert
  configMap:
    name: {{ $cm.name }}
{{- with $cm.key }}
    items:
      - key: {{ . }}
        path: {{ . }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "wandb.ca.mounts" -}}
{{- $r := .root -}}
{{- if (include "wandb.ca.files" $r | fromYaml) }}
- name: wandb-ca-certs
  mountPath: /usr/local/share/ca-certificates/inline
  readOnly: true
{{- end }}
{{- if $r.Values.global.caCertsConfigMap }}
- name: wandb-ca-certs-user
  mountPath: /usr/local/share/ca-certificates/configmap
  readOnly: true
{{- end }}
{{- if $r.Values.global.redis.caCert }}
- name: redis-ca
  mountPath: /etc/ssl/certs/redis_ca.pem
  subPath: redis_ca.pem
  readOnly: true
{{- end }}
{{- $l := $r.Values.global.ldap | default dict -}}
{{- if and $l.enabled $l.tls (has .comp (list "app" "api")) }}
{{- if (($l.tlsCert | default dict).configMap | default dict).name }}
- name: ldap-tls-cert
  mountPath: /usr/local/share/ca-certificates/ldap
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}
