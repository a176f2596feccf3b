{{/*
Pod-level settings of the in-cluster data stores: (dict "root" $ "comp" "mysql").
They use their own uid, so only scheduling and pull secrets are shared with W&B pods.
*/}}
{{- define "wandb.store.podCommon" -}}
{{- include "wandb.pullSecrets" . }}
{{- include "wandb.scheduling" . }}
{{- end -}}

{{- define "wandb.store.pvc" -}}
{{- $p := (index .root.Values .comp).persistence | default dict -}}
{{- $class := $p.storageClass | default .root.Values.global.storageClass -}}
volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      {{- with $class }}
      storageClassName: {{ . }}
      {{- end }}
      resources:
        requests:
          storage: {{ $p.size | default "10Gi" }}
{{- end -}}
