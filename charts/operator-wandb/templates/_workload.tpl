{{/*
Deployment (+ Service, + HPA) of one W&B component. Arguments (dict):
  root, comp              the chart root and the values key of the component
  env                     final env list (YAML text, from "wandb.env")
  ports                   list of {name, containerPort}
  servicePorts            list of {name, port, targetPort}; no Service when empty
  probes                  dict with livenessProbe / readinessProbe / startupProbe
  command, args           lists (optional)
  volumes, mounts         extra volumes / mounts (YAML list text, optional)
  initContainers          list of {name, command?, args?}: same image, env and mounts
  strategy                "Recreate" to avoid two pods at once (optional)
  healthPath              ALB health-check path of the Service (global.cloudProvider=aws)
*/}}
{{- define "wandb.workload" -}}
{{- $root := .root -}}
{{- $v := index $root.Values .comp -}}
{{- $name := include "wandb.name" . -}}
{{- $image := include "wandb.image" (dict "root" $root "image" $v.image "comp" .comp) -}}
{{- $sizing := include "wandb.sizing" . | fromYaml -}}
{{- $labels := include "wandb.labels" (dict "root" $root "comp" .comp "version" $v.image.tag) -}}
{{- $podSC := include "wandb.podSecurityContext" . -}}
{{- $sc := include "wandb.containerSecurityContext" . -}}
{{- $mounts := printf "%s\n%s" (include "wandb.ca.mounts" .) (.mounts | default "") | trim -}}
{{- $volumes := printf "%s\n%s" (include "wandb.ca.volumes" .) (.volumes | default "") | trim -}}
{{- $hpa := $sizing.autoscaling | default dict -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  {{- if not $hpa.enabled }}
  replicas: {{ $sizing.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      {{- include "wandb.selectorLabels" . | nindent 6 }}
  strategy:
    {{- if eq (.strategy | default "") "Recreate" }}
    type: Recreate
    {{- else }}
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    {{- end }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
        {{- with (merge (dict) ($v.podLabels | default dict) ($root.Values.global.podLabels | default dict)) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- /* Changing any global setting (passwords and keys included) rolls the pods, since env from Secrets is read only at start. */}}
        wandb.com/config-hash: {{ include "wandb.configHash" $root }}
        {{- with (merge (dict) ($v.podAnnotations | default dict) ($root.Values.global.podAnnotations | default dict)) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "wandb.serviceAccountName" . }}
      enableServiceLinks: false
      {{- with (include "wandb.pullSecrets" . | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      securityContext:
        {{- $podSC | nindent 8 }}
      terminationGracePeriodSeconds: 60
      {{- with (include "wandb.scheduling" . | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with .initContainers }}
      initContainers:
        {{- range . }}
        - name: {{ .name }}
          image: {{ $image }}
          imagePullPolicy: {{ $v.image.pullPolicy | default "IfNotPresent" }}
          {{- with .command }}
          command: {{ toJson . }}
          {{- end }}
          {{- with .args }}
          args: {{ toJson . }}
          {{- end }}
          env:
            {{- $.env | nindent 12 }}
          securityContext:
            {{- $sc | nindent 12 }}
          {{- with $mounts }}
          volumeMounts:
            {{- . | nindent 12 }}
          {{- end }}
        {{- end }}
      {{- end }}
      containers:
        - name: {{ .comp }}
          image: {{ $image }}
          imagePullPolicy: {{ $v.image.pullPolicy | default "IfNotPresent" }}
          {{- with .command }}
          command: {{ toJson . }}
          {{- end }}
          {{- with .args }}
          args: {{ toJson . }}
          {{- end }}
          env:
            {{- .env | nindent 12 }}
          {{- with .ports }}
          ports:
            {{- range . }}
            - name: {{ .name }}
              containerPort: {{ .containerPort }}
              protocol: TCP
            {{- end }}
          {{- end }}
          {{- with .probes }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
          {{- with $sizing.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            {{- $sc | nindent 12 }}
          {{- with $mounts }}
          volumeMounts:
            {{- . | nindent 12 }}
          {{- end }}
      {{- with $volumes }}
      volumes:
        {{- . | nindent 8 }}
      {{- end }}
{{- with .servicePorts }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- $labels | nindent 4 }}
  {{- if eq ($root.Values.global.cloudProvider | toString) "gcp" }}
  annotations:
    cloud.google.com/neg: '{"ingress": true}'
  {{- else if and (eq ($root.Values.global.cloudProvider | toString) "aws") $.healthPath }}
  annotations:
    alb.ingress.kubernetes.io/healthcheck-path: {{ $.healthPath }}
  {{- end }}
spec:
  type: ClusterIP
  selector:
    {{- include "wandb.selectorLabels" $ | nindent 4 }}
  ports:
    {{- range . }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .targetPort }}
      protocol: TCP
    {{- end }}
{{- end }}
{{- if $hpa.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $hpa.minReplicas | default 1 }}
  maxReplicas: {{ $hpa.maxReplicas | default 5 }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetCPUUtilizationPercentage | default 80 }}
{{- end }}
{{- end -}}
