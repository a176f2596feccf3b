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

{{/* Pod template of the MinIO bucket Job: (dict "root" $ "name" stsName "mc" image "sc" podSecurityContext "labels" labels). */}}
{{- define "wandb.minio.bucketJobTemplate" -}}
{{- $v := .root.Values.minio -}}
template:
  metadata:
    labels:
      {{- .labels | nindent 6 }}
  spec:
    restartPolicy: OnFailure
    {{- with (include "wandb.store.podCommon" (dict "root" .root "comp" "minio") | trim) }}
    {{- . | nindent 4 }}
    {{- end }}
    securityContext:
      {{- toYaml .sc | nindent 6 }}
    containers:
      - name: create-bucket
        image: {{ .mc }}
        imagePullPolicy: {{ $v.clientImage.pullPolicy | default "IfNotPresent" }}
        command:
          - sh
          - -c
          - |
            set -e
            until mc alias set wandb "http://{{ .name }}:9000" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"; do
              echo "waiting for minio"; sleep 3
            done
            mc mb --ignore-existing "wandb/{{ $v.bucket }}"
        env:
          - name: HOME
            value: /tmp
          - name: MC_CONFIG_DIR
            value: /tmp/.mc
        envFrom:
          - secretRef:
              name: {{ .name }}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: ["ALL"]
        volumeMounts:
          - name: tmp
            mountPath: /tmp
    volumes:
      - name: tmp
        emptyDir: {}
{{- end -}}
