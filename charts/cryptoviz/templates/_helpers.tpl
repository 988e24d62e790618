{{/* Names: every object is <release>-<component>, cut to the 63 characters a label allows. */}}
{{- define "cryptoviz.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cryptoviz.name" -}}
{{- printf "%s-%s" (include "cryptoviz.fullname" .root) .component -}}
{{- end -}}

{{- define "cryptoviz.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "cryptoviz.labels" -}}
{{ include "cryptoviz.selectorLabels" . }}
app.kubernetes.io/part-of: cryptoviz
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "cryptoviz.metadata" -}}
name: {{ include "cryptoviz.name" . }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "cryptoviz.labels" . | nindent 2 }}
{{- end -}}

{{- define "cryptoviz.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* Every pod: non-root (the CryptoViz image's user by default), the runtime's seccomp profile. */}}
{{- define "cryptoviz.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 10001 }}
runAsGroup: {{ .uid | default 10001 }}
fsGroup: {{ .uid | default 10001 }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Every container: nothing to escalate to, no capabilities, a read-only root filesystem. */}}
{{- define "cryptoviz.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "cryptoviz.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Probes on the port every CryptoViz process serves /healthz and /readyz on (HTTP_PORT). */}}
{{- define "cryptoviz.probes" -}}
livenessProbe:
  httpGet: { path: /healthz, port: metrics }
  periodSeconds: 10
  timeoutSeconds: 2
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: metrics }
  periodSeconds: 5
  timeoutSeconds: 2
  failureThreshold: 3
{{- end -}}

{{/* Node writes to /tmp now and then; with a read-only root that must be a volume. */}}
{{- define "cryptoviz.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}
{{- define "cryptoviz.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "cryptoviz.natsUrl" -}}
{{- if .Values.nats.external.enabled -}}
{{- .Values.nats.external.url -}}
{{- else -}}
{{- printf "nats://%s.%s.svc:4222" (include "cryptoviz.name" (dict "root" . "component" "nats")) .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{- define "cryptoviz.databaseSecretName" -}}
{{- if .Values.database.external.enabled -}}
{{- .Values.database.external.existingSecret -}}
{{- else -}}
{{- include "cryptoviz.name" (dict "root" . "component" "database") -}}
{{- end -}}
{{- end -}}

{{- define "cryptoviz.databaseSecretKey" -}}
{{- if .Values.database.external.enabled -}}
{{- .Values.database.external.existingSecretKey -}}
{{- else -}}
DATABASE_URL
{{- end -}}
{{- end -}}

{{- define "cryptoviz.gatewayTokenSecretName" -}}
{{- .Values.gateway.token.existingSecret | default (include "cryptoviz.name" (dict "root" . "component" "gateway-token")) -}}
{{- end -}}

{{- define "cryptoviz.gatewayTokenSecretKey" -}}
{{- if .Values.gateway.token.existingSecret -}}
{{- .Values.gateway.token.existingSecretKey -}}
{{- else -}}
token
{{- end -}}
{{- end -}}

{{- define "cryptoviz.resourcesNamespace" -}}
{{- .Values.resourcesNamespace | default .Release.Namespace -}}
{{- end -}}

{{/* What every CryptoViz process reads: NATS, the stream namespace, logging, the probe port. */}}
{{- define "cryptoviz.commonEnv" -}}
- name: NATS_URL
  value: {{ include "cryptoviz.natsUrl" . | quote }}
- name: CRYPTOVIZ_NAMESPACE
  value: {{ .Values.streamNamespace | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: HTTP_PORT
  value: "9464"
- name: WORKER_ID
  valueFrom:
    fieldRef: { fieldPath: metadata.name }
{{- end -}}

{{- define "cryptoviz.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "cryptoviz.databaseSecretName" . }}
      key: {{ include "cryptoviz.databaseSecretKey" . }}
{{- end -}}

{{- define "cryptoviz.metricsPort" -}}
- name: metrics
  containerPort: 9464
{{- end -}}
