{{- define "need.host" -}}
{{ required "host is required" .Values.host }}
{{- end -}}
