{{- define "shared" }}sub-shared{{ end }}{{ define "sub.only" }}sub-only:{{ .Chart.Name }}{{ end }}{{ define "blk" }}sub-block{{ end }}
