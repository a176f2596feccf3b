{{- define "dup" }}from-z/_deep.tpl{{ end }}
