{{- define "panoptes.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "panoptes.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "panoptes.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "panoptes.kafkaSecret" -}}
{{- if .Values.kafka.existingSecret -}}{{ .Values.kafka.existingSecret }}{{- else -}}{{ include "panoptes.fullname" . }}-kafka{{- end -}}
{{- end -}}

{{/* The Kafka client settings every role reads: KAFKA_* variables, and the credentials from the Secret. */}}
{{- define "panoptes.env" -}}
- name: ORT_DISABLE_TELEMETRY
  value: "1"
- name: JAVA_TOOL_OPTIONS
  value: "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
{{- range $key, $value := .Values.kafka.config }}
- name: {{ printf "KAFKA_%s" ($key | upper | replace "." "_") }}
  value: {{ $value | quote }}
{{- end }}
{{- if .Values.kafka.tlsSecret }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/panoptes/kafka-tls/ca.crt
{{- end }}
{{- end -}}

{{- define "panoptes.envFrom" -}}
{{- if or .Values.kafka.existingSecret .Values.kafka.sasl.mechanism }}
- secretRef:
    name: {{ include "panoptes.kafkaSecret" . }}
{{- end }}
{{- end -}}

{{/* Arguments every role takes: registry, prefix, metrics port. */}}
{{- define "panoptes.commonArgs" -}}
- --registry-url={{ .Values.kafka.schemaRegistryUrl }}
- --prefix={{ .Values.kafka.topicPrefix }}
- --metrics-port={{ .Values.metricsPort }}
{{- end -}}

{{/* Probes on the role's /health, and the metrics port Prometheus scrapes. */}}
{{- define "panoptes.probes" -}}
ports:
  - name: metrics
    containerPort: {{ .Values.metricsPort }}
{{ include "panoptes.healthProbes" . }}
{{- end -}}

{{- define "panoptes.healthProbes" -}}
startupProbe:
  httpGet: {path: /health, port: metrics}
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /health, port: metrics}
  periodSeconds: 15
  failureThreshold: 4
readinessProbe:
  httpGet: {path: /health, port: metrics}
  periodSeconds: 10
{{- end -}}

{{- define "panoptes.podAnnotations" -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metricsPort | quote }}
prometheus.io/path: /metrics
{{- end -}}

{{- define "panoptes.tlsVolume" -}}
{{- if .Values.kafka.tlsSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tlsSecret }}
{{- end }}
{{- end -}}

{{- define "panoptes.tlsMount" -}}
{{- if .Values.kafka.tlsSecret }}
- name: kafka-tls
  mountPath: /etc/panoptes/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Which sources pipelines may name: the API checks on create, ingest again on run. */}}
{{- define "panoptes.sourcePolicyArgs" -}}
{{- range .Values.pipelines.sourceDirs }}
- --source-dir={{ . }}
{{- end }}
{{- if .Values.pipelines.allowPrivateSources }}
- --allow-private-sources
{{- end }}
{{- end -}}
