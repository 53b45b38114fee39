{{/*
Names and labels, from one place. The label shape is the operator's own (operator/src/reconcile/
labels.ts): name, instance, component, part-of, managed-by; the chart adds version and helm.sh/chart.
*/}}

{{- define "streaming-orders.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: the release name, plus the chart name unless it already has it.
At most 40 characters, so that Strimzi's names derived from it (<cluster>-kafka-bootstrap) stay
within the 63 characters of a Service name.
*/}}
{{- define "streaming-orders.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "streaming-orders.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select one component's pods; never change them on an installed release (Deployment
selectors are immutable). Call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "streaming-orders.selectorLabels" -}}
app.kubernetes.io/name: {{ include "streaming-orders.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every object's labels. Call with (dict "ctx" $ "component" "operator"). */}}
{{- define "streaming-orders.labels" -}}
{{ include "streaming-orders.selectorLabels" . }}
app.kubernetes.io/part-of: streaming-orders
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "streaming-orders.chart" .ctx }}
{{- end }}

{{- define "streaming-orders.operatorName" -}}
{{- printf "%s-operator" (include "streaming-orders.fullname" .) }}
{{- end }}

{{- define "streaming-orders.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "streaming-orders.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The project image: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "streaming-orders.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "streaming-orders.workloadImage" -}}
{{- default (include "streaming-orders.image" .) .Values.operator.workloadImage }}
{{- end }}

{{/* imagePullSecrets as comma-separated names, for the operator to put on the workloads' pods. */}}
{{- define "streaming-orders.pullSecretNames" -}}
{{- $names := list }}
{{- range .Values.imagePullSecrets }}{{ $names = append $names .name }}{{ end }}
{{- join "," $names }}
{{- end }}

{{/* The Lease the operator replicas elect a leader on; one per release. */}}
{{- define "streaming-orders.leaseName" -}}
{{- include "streaming-orders.operatorName" . }}
{{- end }}

{{- define "streaming-orders.kafkaClusterName" -}}
{{- default (printf "%s-kafka" (include "streaming-orders.fullname" .)) .Values.kafka.strimzi.clusterName }}
{{- end }}

{{/* The pipeline `helm test` checks: tests.pipeline, else the sample pipeline; empty if neither. */}}
{{- define "streaming-orders.testPipeline" -}}
{{- if .Values.tests.pipeline }}
{{- .Values.tests.pipeline }}
{{- else if .Values.samplePipeline.enabled }}
{{- .Values.samplePipeline.name }}
{{- end }}
{{- end }}

{{/* The labels the operator puts on a pipeline component's pods (operator/src/reconcile/labels.ts). */}}
{{- define "streaming-orders.workloadSelector" -}}
app.kubernetes.io/name: streaming-orders
app.kubernetes.io/instance: {{ .pipeline }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/managed-by: streaming-orders-operator
{{- end }}
