{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Base name of every object: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "platform.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "platform.webhook.fullname" -}}
{{- printf "%s-webhook" (include "platform.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "platform.nodeAgent.fullname" -}}
{{- printf "%s-node-agent" (include "platform.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "platform.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/part-of: {{ include "platform.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "platform.webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end }}

{{- define "platform.nodeAgent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node-agent
{{- end }}

{{- define "platform.webhook.serviceAccountName" -}}
{{- default (include "platform.webhook.fullname" .) .Values.webhook.serviceAccount.name }}
{{- end }}

{{- define "platform.nodeAgent.serviceAccountName" -}}
{{- default (include "platform.nodeAgent.fullname" .) .Values.nodeAgent.serviceAccount.name }}
{{- end }}

{{/*
DRA mode (docs/dra.md). Non-empty when the DRA mode's objects render: the agent on, and nodeAgent.dra.enabled true, or
auto with nodeAgent.mode dra or resource.k8s.io/v1 DeviceClass served (so that labelling a node is enough to move it).
*/}}
{{- define "platform.nodeAgent.dra" -}}
{{- $a := .Values.nodeAgent }}
{{- $enabled := toString $a.dra.enabled }}
{{- if and $a.enabled (eq $a.mode "dra") (eq $enabled "false") }}
{{- fail "nodeAgent.mode=dra needs the DRA mode's objects: set nodeAgent.dra.enabled to auto or true" }}
{{- end }}
{{- $served := .Capabilities.APIVersions.Has "resource.k8s.io/v1/DeviceClass" }}
{{- if and $a.enabled (or (eq $enabled "true") (and (eq $enabled "auto") (or (eq $a.mode "dra") $served))) }}true{{ end }}
{{- end }}

{{- define "platform.nodeAgent.draFullname" -}}
{{- printf "%s-node-agent-dra" (include "platform.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "platform.nodeAgent.draSelectorLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: node-agent-dra
{{- end }}

{{/*
Labels every node agent pod carries, in either mode: what the metrics Service and the NetworkPolicy select. Each
DaemonSet's own selector adds its component (node-agent, node-agent-dra), so neither DaemonSet's selector matches
the other's pods.
*/}}
{{- define "platform.nodeAgent.podLabels" -}}
app.kubernetes.io/name: {{ include "platform.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
raygpu.io/node-agent: "true"
{{- end }}

{{/* Non-empty when the ResourceSlice ValidatingAdmissionPolicy renders: DRA objects render, and forced or (auto) served. */}}
{{- define "platform.nodeAgent.slicePolicy" -}}
{{- $enabled := toString .Values.nodeAgent.dra.slicePolicy.enabled }}
{{- $served := .Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy" }}
{{- if and (include "platform.nodeAgent.dra" .) (or (eq $enabled "true") (and (eq $enabled "auto") $served)) }}true{{ end }}
{{- end }}

{{/*
image: registry/repository:tag, tag defaulting to the chart's appVersion; a digest wins over the tag.
The repository has no default (the project publishes no images and must not point at a public namespace it does
not own): rendering without one fails with how to build and push it. Arguments: image, root, values (the values
path, e.g. "webhook"), dockerfile and name (the image name of the README's scheme).
*/}}
{{- define "platform.image" -}}
{{- $fix := printf "%s.image.repository is required: build and push the image, then set it. From the repository root:\n  docker build -f %s -t <registry>/%s:%s .\n  docker push <registry>/%s:%s\n  helm install ... --set %s.image.repository=<registry>/%s\n(README.md, \"Build the images\")" .values .dockerfile .name .root.Chart.AppVersion .name .root.Chart.AppVersion .values .name }}
{{- $repository := required $fix .image.repository }}
{{- if .image.registry }}{{ $repository = printf "%s/%s" .image.registry .image.repository }}{{ end }}
{{- if .image.digest }}
{{- printf "%s@%s" $repository .image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* Name of the Secret that holds the webhook's serving certificate (tls.crt, tls.key). */}}
{{- define "platform.webhook.tlsSecretName" -}}
{{- if .Values.webhook.tls.existingSecret }}
{{- .Values.webhook.tls.existingSecret }}
{{- else }}
{{- printf "%s-tls" (include "platform.webhook.fullname" .) }}
{{- end }}
{{- end }}

{{- define "platform.webhook.certificateName" -}}
{{- printf "%s-serving" (include "platform.webhook.fullname" .) }}
{{- end }}

{{/* A configuration value as text. Values files give numbers as float64, which %v would print as 6.7108864e+07. */}}
{{- define "platform.configValue" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- printf "%d" (int64 .) }}
{{- else }}
{{- printf "%v" . }}
{{- end }}
{{- end }}

{{/*
Flattens a nested map of .NET configuration into command-line arguments: {Gpu: {DriverRoot: /x}} becomes
--Gpu:DriverRoot=/x; lists become indexed keys (--Node:Taints:0=...). Keys are sorted, so output is stable.
*/}}
{{- define "platform.configArgs" -}}
{{- $prefix := .prefix -}}
{{- range $key, $value := .config }}
{{- $path := ternary (printf "%v" $key) (printf "%s:%v" $prefix $key) (eq $prefix "") }}
{{- if kindIs "map" $value }}
{{- include "platform.configArgs" (dict "prefix" $path "config" $value) }}
{{- else if kindIs "slice" $value }}
{{- range $index, $item := $value }}
{{- if kindIs "map" $item }}
{{- include "platform.configArgs" (dict "prefix" (printf "%s:%d" $path $index) "config" $item) }}
{{- else }}
{{ printf "- %s" (printf "--%s:%d=%s" $path $index (include "platform.configValue" $item) | quote) }}
{{- end }}
{{- end }}
{{- else if not (kindIs "invalid" $value) }}
{{ printf "- %s" (printf "--%s=%s" $path (include "platform.configValue" $value) | quote) }}
{{- end }}
{{- end }}
{{- end }}

{{/* A list of strings as a CEL list literal: ['a', 'b']. Single quotes and backslashes are escaped. */}}
{{- define "platform.celStringList" -}}
{{- $items := list }}
{{- range . }}
{{- $items = append $items (printf "'%s'" (toString . | replace "\\" "\\\\" | replace "'" "\\'")) }}
{{- end }}
{{- printf "[%s]" (join ", " $items) }}
{{- end }}

{{/* Non-empty when the node-patch ValidatingAdmissionPolicy is rendered: agent on, and forced or (auto) served by the API server. */}}
{{- define "platform.nodeAgent.nodePatchPolicy" -}}
{{- $enabled := toString .Values.nodeAgent.nodePatchPolicy.enabled }}
{{- $served := .Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy" }}
{{- if and .Values.nodeAgent.enabled (or (eq $enabled "true") (and (eq $enabled "auto") $served)) }}true{{ end }}
{{- end }}
