#!/usr/bin/env bash
# GPU fault remediation latency on simulated GPUs, real clock: XID -> DrainNode received by the (grpc-js) fake
# Ray GCS, and XID -> eviction received by the loopback fake Kubernetes API, through the agent's real code and
# protocols (tests/NodeAgent.Tests/Remediation/EndToEnd/RemediationLatencyMeasurement.cs). The Ray node reports
# itself drained on acceptance, so the eviction figure is the agent's latency, not Ray's drain time.
# Usage: bench/remediation-latency.sh [runs]   (default 7; prints each run and the medians)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
(cd tests/tools/ray-gcs && [ -d node_modules/@grpc/grpc-js ] || npm ci --no-audit --no-fund --loglevel=error)
report=$(mktemp)
trap 'rm -f "$report"' EXIT
RAYGPU_REMEDIATION_RUNS="$runs" RAYGPU_REMEDIATION_REPORT="$report" \
  dotnet test tests/NodeAgent.Tests --nologo -v q --filter "FullyQualifiedName~RemediationLatencyMeasurement" >/dev/null
cat "$report"
