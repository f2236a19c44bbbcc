{{/*
Whether a monitoring part renders: "true" or "". `auto` renders when the cluster serves the Prometheus
Operator's API (kube-prometheus-stack brings it, and a Grafana whose sidecar collects dashboards);
`helm template` can pretend it does with --api-versions.
Usage: include "platform.monitoring.enabled" (list .Values.monitoring.prometheusRule.enabled "monitoring.coreos.com/v1/PrometheusRule" .)
*/}}
{{- define "platform.monitoring.enabled" -}}
{{- $setting := index . 0 -}}
{{- $api := index . 1 -}}
{{- $root := index . 2 -}}
{{- if eq (toString $setting) "auto" -}}
{{- if $root.Capabilities.APIVersions.Has $api }}true{{ end -}}
{{- else if eq (toString $setting) "true" -}}
true
{{- end -}}
{{- end -}}

{{/* The `job` label of the node agent's series: the Service its ServiceMonitor scrapes, unless set. */}}
{{- define "platform.monitoring.nodeAgentJob" -}}
{{- .Values.monitoring.prometheusRule.nodeAgentJob | default (include "platform.nodeAgent.fullname" .) -}}
{{- end -}}

{{/* The `job` label of the webhook's series. */}}
{{- define "platform.monitoring.webhookJob" -}}
{{- .Values.monitoring.prometheusRule.webhookJob | default (include "platform.webhook.fullname" .) -}}
{{- end -}}

{{/* runbook_url when a base URL is set (where docs/operations.md is published), its anchor otherwise. */}}
{{- define "platform.monitoring.runbook" -}}
{{- $base := (index . 0).runbookBaseUrl -}}
{{- if $base }}runbook_url: {{ printf "%s#%s" (trimSuffix "/" $base) (index . 1) | quote }}
{{- else }}runbook: {{ printf "docs/operations.md#%s" (index . 1) | quote }}
{{- end -}}
{{- end -}}
