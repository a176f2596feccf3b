{{- define "dup" }}from-_b.tpl{{ end }}{{ define "onlyb" }}B{{ end }}
