{{- define "chain" -}}
{{- if gt (int .n) 0 -}}
{{- include "chain" (dict "n" (sub .n 1) "acc" (printf "%s>%d" .acc (int .n))) -}}
{{- else -}}
{{- .acc -}}
{{- end -}}
{{- end -}}
{{- define "l1" }}{{ include "l2" . | upper }}{{ end }}
{{- define "l2" }}{{ include "l3" . | trim }}-2{{ end }}
{{- define "l3" }} {{ include "l4" . }}-3 {{ end }}
{{- define "l4" }}{{ include "l5" . | quote }}-4{{ end }}
{{- define "l5" }}{{ .Values.items | join "" }}{{ end }}
{{- define "item" -}}
name: {{ .item }}
index: {{ .i }}
chain: {{ include "chain" (dict "n" .i "acc" .item) }}
{{- end -}}
