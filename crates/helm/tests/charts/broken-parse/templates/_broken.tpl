{{- define "ok" }}fine{{ end }}

{{ if .Values.x }}
no end here
