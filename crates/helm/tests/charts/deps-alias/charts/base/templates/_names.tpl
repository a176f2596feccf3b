{{- define "base.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end -}}
