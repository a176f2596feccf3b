{{- define "dup" }}from-_a.tpl{{ end }}
