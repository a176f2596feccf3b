{{- define "shared" }}parent-shared{{ end }}
