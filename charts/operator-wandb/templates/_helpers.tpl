{{/*
Shared helpers of the W&B platform chart. Object names are <release>-<component>.
*/}}

{{- define "wandb.name" -}}
{{- printf "%s-%s" .root.Release.Name .comp | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wandb.chartLabel" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: (dict "root" $ "comp" "app") */}}
{{- define "wandb.selectorLabels" -}}
app.kubernetes.io/name: {{ .comp }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Full labels: (dict "root" $ "comp" "app" "version" "0.1") */}}
{{- define "wandb.labels" -}}
{{ include "wandb.selectorLabels" . }}
app.kubernetes.io/component: {{ .comp }}
app.kubernetes.io/part-of: wandb
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "wandb.chartLabel" .root }}
{{- with .version }}
app.kubernetes.io/version: {{ . | toString | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
{{- end -}}

{{/*
Image reference: (dict "root" $ "image" .Values.app.image). global.imageRegistry is
prepended unless the repository already names a registry host (first path segment
with a dot or a colon, or localhost).
*/}}
{{- define "wandb.image" -}}
{{- $repo := .image.repository | toString -}}
{{- $reg := .root.Values.global.imageRegistry | default "" | toString | trimSuffix "/" -}}
{{- $first := index (splitList "/" $repo) 0 -}}
{{- $hasHost := and (gt (len (splitList "/" $repo)) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) -}}
{{- if and $reg (not $hasHost) -}}
{{- $repo = printf "%s/%s" $reg $repo -}}
{{- end -}}
{{- if not .image.tag -}}
{{- fail (printf "%s.image.tag is required (the release channel normally pins it)" .comp) -}}
{{- end -}}
{{- printf "%s:%s" $repo (toString .image.tag) -}}
{{- end -}}

{{/* global.host without a trailing slash. */}}
{{- define "wandb.url" -}}
{{- .Values.global.host | toString | trimSuffix "/" -}}
{{- end -}}

{{/*
Host name for the Ingress: scheme, path and port removed. Empty when the host is an
IP address or empty (an Ingress rule without host then matches every host).
*/}}
{{- define "wandb.hostname" -}}
{{- include "wandb.hostOnly" (toString .Values.global.host) -}}
{{- end -}}

{{- define "wandb.hostOnly" -}}
{{- $h := . | trim -}}
{{- if contains "://" $h -}}
{{- $h = index (splitList "://" $h) 1 -}}
{{- end -}}
{{- $h = index (splitList "/" $h) 0 -}}
{{- $h = index (splitList "?" $h) 0 -}}
{{- if hasPrefix "[" $h -}}
{{- $h = "" -}}
{{- else -}}
{{- $h = index (splitList ":" $h) 0 -}}
{{- end -}}
{{- $h = lower $h -}}
{{- if regexMatch "^[0-9.]+$" $h -}}
{{- $h = "" -}}
{{- end -}}
{{- $h -}}
{{- end -}}

{{/*
Whether a component is rendered: (list $ "app") -> "true" or "". <component>.enabled,
when set, takes the place of <component>.install (both spellings occur in the
specification); global.<component>.enabled switches on weave-trace, api, glue, executor.
*/}}
{{- define "wandb.enabled" -}}
{{- $root := index . 0 -}}
{{- $comp := index . 1 -}}
{{- $v := index $root.Values $comp -}}
{{- $g := $root.Values.global -}}
{{- $on := $v.install -}}
{{- if and (hasKey $v "enabled") (not (kindIs "invalid" $v.enabled)) }}{{ $on = $v.enabled }}{{ end -}}
{{- $gflag := false -}}
{{- if has $comp (list "weave-trace" "api" "glue" "executor") }}{{ $gflag = (index $g $comp).enabled }}{{ end -}}
{{- if or $on $gflag }}true{{ end -}}
{{- end -}}

{{/* The component that serves the API for other services: app, or api in the split layout. */}}
{{- define "wandb.backendURL" -}}
{{- if include "wandb.enabled" (list . "app") -}}
http://{{ .Release.Name }}-app:8080/
{{- else -}}
http://{{ .Release.Name }}-api:8081/
{{- end -}}
{{- end -}}

{{/*
Effective sizing of a component: (dict "root" $ "comp" "app") -> YAML map with
replicaCount, resources and autoscaling. The component's own size beats global.size;
explicit replicaCount and resources beat the preset.
*/}}
{{- define "wandb.sizing" -}}
{{- $v := index .root.Values .comp -}}
{{- $size := $v.size | default .root.Values.global.size | default "small" | toString -}}
{{- $sizing := $v.sizing | default dict -}}
{{- if not (hasKey $sizing $size) -}}
{{- fail (printf "%s.size (or global.size) is %q, which is not a key of %s.sizing (choose small, medium or large)" .comp $size .comp) -}}
{{- end -}}
{{- $preset := index $sizing $size | default dict -}}
{{- $out := dict "replicaCount" ($preset.replicaCount | default 1) "resources" ($preset.resources | default dict) "autoscaling" (($preset.autoscaling | default dict).horizontal | default dict) -}}
{{- if not (kindIs "invalid" $v.replicaCount) -}}
{{- $_ := set $out "replicaCount" $v.replicaCount -}}
{{- end -}}
{{- if $v.resources -}}
{{- $_ := set $out "resources" $v.resources -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
runAsGroup check of one security context: (dict "sc" map "path" "app.pod.securityContext").
The W&B images assume group 0, so anything else is refused.
*/}}
{{- define "wandb.checkGroup" -}}
{{- if and .sc (hasKey .sc "runAsGroup") -}}
{{- if not (kindIs "invalid" (index .sc "runAsGroup")) -}}
{{- if ne (toString (index .sc "runAsGroup")) "0" -}}
{{- fail (printf "%s.runAsGroup must be 0 (W&B images run with group 0), got %v" .path (index .sc "runAsGroup")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Pod security context: defaults < podSecurityContext < pod.securityContext. */}}
{{- define "wandb.podSecurityContext" -}}
{{- $v := index .root.Values .comp -}}
{{- $a := $v.podSecurityContext | default dict -}}
{{- $b := ($v.pod | default dict).securityContext | default dict -}}
{{- include "wandb.checkGroup" (dict "sc" $a "path" (printf "%s.podSecurityContext" .comp)) -}}
{{- include "wandb.checkGroup" (dict "sc" $b "path" (printf "%s.pod.securityContext" .comp)) -}}
{{- $base := dict "runAsNonRoot" true "runAsUser" 999 "runAsGroup" 0 "fsGroup" 0 "fsGroupChangePolicy" "OnRootMismatch" "seccompProfile" (dict "type" "RuntimeDefault") -}}
{{- toYaml (mergeOverwrite $base (deepCopy $a) (deepCopy $b)) -}}
{{- end -}}

{{/* Container security context: defaults < securityContext < container.securityContext. */}}
{{- define "wandb.containerSecurityContext" -}}
{{- $v := index .root.Values .comp -}}
{{- $a := $v.securityContext | default dict -}}
{{- $b := ($v.container | default dict).securityContext | default dict -}}
{{- include "wandb.checkGroup" (dict "sc" $a "path" (printf "%s.securityContext" .comp)) -}}
{{- include "wandb.checkGroup" (dict "sc" $b "path" (printf "%s.container.securityContext" .comp)) -}}
{{- $base := dict "allowPrivilegeEscalation" false "privileged" false "readOnlyRootFilesystem" false -}}
{{- toYaml (mergeOverwrite $base (deepCopy $a) (deepCopy $b)) -}}
{{- end -}}

{{/* imagePullSecrets: global plus component, strings or {name: x}, de-duplicated. */}}
{{- define "wandb.pullSecrets" -}}
{{- $v := index .root.Values .comp | default dict -}}
{{- $names := list -}}
{{- range (concat (.root.Values.global.imagePullSecrets | default list) ($v.imagePullSecrets | default list)) -}}
{{- $n := . -}}
{{- if kindIs "map" . }}{{ $n = .name }}{{ end -}}
{{- if and $n (not (has (toString $n) $names)) }}{{ $names = append $names (toString $n) }}{{ end -}}
{{- end -}}
{{- if $names }}
imagePullSecrets:
{{- range $names }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* nodeSelector / tolerations / affinity / priorityClassName; a component value replaces the global one. */}}
{{- define "wandb.scheduling" -}}
{{- $v := index .root.Values .comp | default dict -}}
{{- $g := .root.Values.global -}}
{{- with ($v.nodeSelector | default $g.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with ($v.tolerations | default $g.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with ($v.affinity | default $g.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with ($v.priorityClassName | default $g.priorityClassName) }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* Service account name of a component. */}}
{{- define "wandb.serviceAccountName" -}}
{{- $sa := (index .root.Values .comp).serviceAccount | default dict -}}
{{- if $sa.name -}}
{{- $sa.name -}}
{{- else if $sa.create -}}
{{- include "wandb.name" . -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/* Random value kept across upgrades: (dict "root" $ "name" secretName "key" k "length" n) -> base64. */}}
{{- define "wandb.generated" -}}
{{- $s := lookup "v1" "Secret" .root.Release.Namespace .name -}}
{{- $data := dict -}}
{{- if $s }}{{ $data = $s.data | default dict }}{{ end -}}
{{- if hasKey $data .key -}}
{{- index $data .key -}}
{{- else -}}
{{- randAlphaNum (int .length) | b64enc -}}
{{- end -}}
{{- end -}}

{{/* Hash of the settings every component reads (global values), for pod annotations. */}}
{{- define "wandb.configHash" -}}
{{- toJson .Values.global | sha256sum | trunc 16 | quote -}}
{{- end -}}
