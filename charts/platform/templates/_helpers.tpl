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

{{/*
A duration value (90s, 10m, 1h, 1h30m; values.schema.json checks the spelling) as the TimeSpan text .NET reads,
[d.]hh:mm:ss. A bare number is no duration here: .NET would read "10" as ten days. Arguments: the value's key, the value.
*/}}
{{- define "platform.timeSpan" -}}
{{- $key := index . 0 }}
{{- $value := index . 1 }}
{{- $seconds := 0 }}
{{- range (regexFindAll "[0-9]+[hms]" (toString $value) -1) }}
{{- $n := int64 (regexFind "[0-9]+" .) }}
{{- $unit := get (dict "h" 3600 "m" 60 "s" 1) (trimPrefix (regexFind "[0-9]+" .) .) }}
{{- $seconds = add $seconds (mul $n $unit) }}
{{- end }}
{{- if eq $seconds 0 }}
{{- fail (printf "%s is %s: it must be longer than zero (a duration such as 90s, 10m or 1h)" $key (toString $value)) }}
{{- end }}
{{- $days := div $seconds 86400 }}
{{- $rest := mod $seconds 86400 }}
{{- $clock := printf "%02d:%02d:%02d" (div $rest 3600) (div (mod $rest 3600) 60) (mod $rest 60) }}
{{- if gt $days 0 }}{{ printf "%d.%s" $days $clock }}{{ else }}{{ $clock }}{{ end }}
{{- end }}

{{/* The remediation mode (off, annotate, drain, evict), or "" without the agent: what the RBAC and admission policies grant for. */}}
{{- define "platform.nodeAgent.remediationMode" -}}
{{- $mode := .Values.nodeAgent.remediation.mode }}
{{- /* YAML reads an unquoted off as the boolean false (the schema admits it as off). */}}
{{- if kindIs "bool" $mode }}{{ $mode = "off" }}{{ end }}
{{- if .Values.nodeAgent.enabled }}{{ lower (toString $mode) }}{{ end }}
{{- end }}

{{/* Non-empty in the remediation modes that call Ray and evict (drain, evict): nodes list, pods/eviction, Ray GCS egress. */}}
{{- define "platform.nodeAgent.remediationDrains" -}}
{{- if has (include "platform.nodeAgent.remediationMode" .) (list "drain" "evict") }}true{{ end }}
{{- end }}

{{/*
The agent's Remediation section from nodeAgent.remediation (docs/remediation.md). Keys set here may not also be set
under nodeAgent.config.Remediation: one place for each, so that the RBAC the chart grants matches the mode in force.
*/}}
{{- define "platform.nodeAgent.remediationConfig" -}}
{{- $r := .Values.nodeAgent.remediation }}
{{- $section := dict
  "Mode" (title (include "platform.nodeAgent.remediationMode" .))
  "NonRayPods" (title (toString $r.nonRayPods))
  "DrainTimeout" (include "platform.timeSpan" (list "nodeAgent.remediation.drainTimeout" $r.drainTimeout))
  "MaxEvictionsPerNodePerHour" $r.maxEvictionsPerNodePerHour
  "NodeFaultGpus" $r.nodeFaultGpus
  "MaxDisruptedNodeFraction" $r.maxDisruptedNodeFraction
  "MinDisruptedNodes" $r.minDisruptedNodes
  "NodeRecoveryWindow" (include "platform.timeSpan" (list "nodeAgent.remediation.nodeRecoveryWindow" $r.nodeRecoveryWindow))
  "DryRun" $r.dryRun
  "GcsAddress" $r.gcsAddress
  "GpuNodeSelector" $r.gpuNodeSelector }}
{{- $port := int (include "platform.nodeAgent.gcsPort" .) }}
{{- if or (lt $port 1) (gt $port 65535) }}
{{- fail (printf "nodeAgent.remediation.gcsAddress is %s: its port must be 1-65535 (Ray's GCS listens on 6379)" $r.gcsAddress) }}
{{- end }}
{{- /* .NET reads configuration keys case-insensitively, so the check does too. */}}
{{- range $sectionKey, $given := (default dict .Values.nodeAgent.config) }}
{{- if and (eq (lower $sectionKey) "remediation") (kindIs "map" $given) }}
{{- range $key, $_ := $given }}
{{- range $own, $_ := $section }}
{{- if eq (lower $key) (lower $own) }}
{{- fail (printf "nodeAgent.config.%s.%s is set by the chart from nodeAgent.remediation: set it there instead (docs/remediation.md)" $sectionKey $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $section }}
{{- end }}

{{/* The port of nodeAgent.remediation.gcsAddress (host:port). */}}
{{- define "platform.nodeAgent.gcsPort" -}}
{{- regexFind "[0-9]+$" (toString .Values.nodeAgent.remediation.gcsAddress) }}
{{- end }}
