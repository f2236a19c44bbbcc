#!/usr/bin/env bash
# On a GPU machine: compares the agent's discovery with nvidia-smi and exits non-zero on any mismatch.
#   scripts/gpu-check.sh [path to the agent: a NativeAOT binary or Platform.NodeAgent.dll]
# Without an argument the agent is built from src/NodeAgent (JIT) first. Extra agent options can be
# passed in AGENT_ARGS, e.g. AGENT_ARGS="--Gpu:Driver=cuda" or "--Gpu:DriverRoot=/host".
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found; run this on a machine with an NVIDIA driver." >&2
  exit 2
fi

agent="${1:-}"
if [ -z "$agent" ]; then
  echo "==> building src/NodeAgent"
  dotnet build src/NodeAgent -c Release --nologo -v quiet -o .tools/gpu-check >/dev/null
  agent=.tools/gpu-check/Platform.NodeAgent.dll
fi

run_agent() {
  # shellcheck disable=SC2086
  case "$agent" in
    *.dll) dotnet "$agent" discover ${AGENT_ARGS:-} ;;
    *) "$agent" discover ${AGENT_ARGS:-} ;;
  esac
}

query=index,uuid,name,memory.total,driver_version,pci.bus_id
expected=$(nvidia-smi --query-gpu="$query" --format=csv)
actual=$(run_agent)

echo "==> nvidia-smi --query-gpu=$query --format=csv"
echo "$expected"
echo "==> agent discover"
echo "$actual"

if diff -u <(echo "$expected") <(echo "$actual"); then
  echo "gpu-check: OK, $(($(echo "$expected" | wc -l) - 1)) GPUs agree."
else
  echo "gpu-check: MISMATCH between nvidia-smi and the agent (diff above)." >&2
  exit 1
fi
