#!/usr/bin/env bash
# On a GPU machine: checks the node agent against the real NVIDIA driver and exits non-zero on any
# mismatch. No kubelet or Kubernetes API is needed.
#   scripts/gpu-check.sh [path to the agent: a NativeAOT binary or Platform.NodeAgent.dll]
#
#   1. discovery through NVML (cross-checked with CUDA) equals nvidia-smi's CSV, exactly;
#   2. discovery through the CUDA driver API alone equals it too, except that CUDA's memory is the
#      total less the driver's reserve (nvidia-smi's memory.reserved);
#   3. the running agent: readiness says the driver and its XID/ECC events are up, every GPU is
#      healthy, and each GPU's metrics agree with nvidia-smi read at the same moment;
#   4. under load (when python3 with PyTorch is there): utilisation and framebuffer use rise;
#   5. the agent's RSS on the real driver, and a graceful stop on SIGTERM.
#
# Without an argument the agent is built from src/NodeAgent (JIT) first. Extra agent options can be
# passed in AGENT_ARGS, e.g. AGENT_ARGS="--Gpu:DriverRoot=/host". GPU_CHECK_PORT (default 9400)
# is where the agent serves /metrics during step 3.
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found; run this on a machine with an NVIDIA driver." >&2
  exit 2
fi

agent="${1:-}"
if [ -z "$agent" ]; then
  echo "==> building src/NodeAgent"
  dotnet build src/NodeAgent -c Release --nologo -v quiet -o .tools/gpu-check >/dev/null || exit 2
  agent=.tools/gpu-check/Platform.NodeAgent.dll
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

agent_cmd() {
  case "$agent" in
    *.dll) echo dotnet "$agent" ;;
    *) echo "$agent" ;;
  esac
}

# --- 1 and 2: discovery ------------------------------------------------------------------------
query=index,uuid,name,memory.total,driver_version,pci.bus_id
expected=$(nvidia-smi --query-gpu="$query" --format=csv)
echo "==> nvidia-smi --query-gpu=$query --format=csv"
echo "$expected"
gpus=$(($(echo "$expected" | wc -l) - 1))

# The CUDA driver API reports the memory CUDA can use: the total less what the driver reserves
# (nvidia-smi's memory.reserved), so in cuda mode that column is compared with total - reserved.
reserved_csv=$(nvidia-smi --query-gpu=memory.reserved --format=csv,noheader,nounits)
usable() { # the CSV with each GPU's memory.total replaced by total - reserved
  paste -d, <(echo "$1" | tail -n +2) <(echo "$reserved_csv") | awk -F', ' -v OFS=', ' '
    { split($NF, last, ","); $NF = last[1]; r = last[2]; m = $4; sub(/ MiB/, "", m); $4 = (m - r) " MiB"; print }'
}
for driver in auto cuda; do
  echo "==> agent discover --Gpu:Driver=$driver"
  # shellcheck disable=SC2046,SC2086
  actual=$($(agent_cmd) discover --Gpu:Driver=$driver ${AGENT_ARGS:-} 2>&1)
  echo "$actual"
  want="$expected"
  if [ "$driver" = cuda ]; then
    want=$(echo "$expected" | head -1; usable "$expected")
    # The driver rounds each figure to MiB on its own; one MiB either way is the same memory.
    actual=$(echo "$actual" | head -1; echo "$actual" | tail -n +2 | while IFS= read -r line; do
      got=$(echo "$line" | awk -F', ' '{ sub(/ MiB/, "", $4); print $4 }')
      index=$(echo "$line" | cut -d, -f1)
      close=$(echo "$want" | awk -F', ' -v i="$index" -v g="$got" 'NR > 1 && $1 == i { sub(/ MiB/, "", $4); d = $4 - g; if (d >= -1 && d <= 1) print $4 }')
      if [ -n "$close" ]; then echo "$line" | awk -F', ' -v OFS=', ' -v m="$close MiB" '{ $4 = m; print }'; else echo "$line"; fi
    done)
  fi
  if diff -u <(echo "$want") <(echo "$actual"); then
    pass "discovery ($driver): $gpus GPUs agree with nvidia-smi"
  else
    fail "discovery ($driver) differs from nvidia-smi (diff above)"
  fi
done

# --- 3: the running agent ----------------------------------------------------------------------
port="${GPU_CHECK_PORT:-9400}"
base="http://127.0.0.1:$port"
# Another agent on the port would be checked in place of this one.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "gpu-check: port $port is in use on 127.0.0.1; stop what listens there or set GPU_CHECK_PORT." >&2
  exit 2
fi
agent_pid=""
work=$(mktemp -d)
trap 'kill "$agent_pid" 2>/dev/null; rm -rf "$work"' EXIT
echo "==> starting the agent on $base (real driver, no kubelet, no API server)"
started=$(date +%s%N)
# shellcheck disable=SC2046,SC2086
$(agent_cmd) --urls="$base" --DevicePlugin:KubeletDirectory="$work" --Metrics:SampleInterval=00:00:01 \
  --Metrics:PodAttribution=false ${AGENT_ARGS:-} >"$work/agent.log" 2>&1 &
agent_pid=$!

ready=""
for _ in $(seq 1 100); do
  # /readyz answers 503 while the device plugin has no kubelet to register with; its checks are what count.
  if readyz=$(curl -s --max-time 1 "$base/readyz" 2>/dev/null) && echo "$readyz" | grep -q '"name": "gpu"'; then
    ready=$(( ($(date +%s%N) - started) / 1000000 ))
    break
  fi
  kill -0 "$agent_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$ready" ]; then
  fail "the agent did not answer /readyz within 10 s; its log:"
  cat "$work/agent.log" >&2
  exit 1
fi
echo "    /readyz answered $ready ms after start"

check_readyz() { # name, expected status
  local status
  status=$(echo "$readyz" | grep -A1 "\"name\": \"$1\"" | sed -n 's/.*"status": "\([a-z-]*\)".*/\1/p')
  if [ "$status" = "$2" ]; then pass "/readyz $1: $status"; else fail "/readyz $1 is '$status', expected $2: $(echo "$readyz" | grep -A2 "\"name\": \"$1\"" | tail -1)"; fi
}
check_readyz gpu ok
check_readyz health-events ok

sleep 2.5 # two samples at the 1 s interval
metrics=$(curl -s --max-time 5 "$base/metrics")
smi=$(nvidia-smi --query-gpu=index,memory.used,memory.reserved,memory.free,temperature.gpu,power.draw,clocks.mem \
  --format=csv,noheader,nounits)
echo "==> nvidia-smi index, memory.used, memory.reserved, memory.free, temperature.gpu, power.draw, clocks.mem"
echo "$smi"

metric() { # name, gpu index
  echo "$metrics" | awk -v n="$1" -v g="gpu=\"$2\"" 'index($0, n "{") == 1 && index($0, g) { print $NF; exit }'
}
within() { # actual, expected, tolerance
  awk -v a="$1" -v e="$2" -v t="$3" 'BEGIN { d = a - e; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}

if echo "$metrics" | grep -q '^raygpu_info{driver="nvml"'; then pass "raygpu_info: driver nvml"; else fail "raygpu_info does not say driver=\"nvml\": $(echo "$metrics" | grep '^raygpu_info')"; fi
while IFS=', ' read -r index used reserved free temp power memclock; do
  fb_used=$(metric DCGM_FI_DEV_FB_USED "$index")
  fb_free=$(metric DCGM_FI_DEV_FB_FREE "$index")
  echo "    GPU $index agent: FB_USED=$fb_used FB_FREE=$fb_free GPU_TEMP=$(metric DCGM_FI_DEV_GPU_TEMP "$index")" \
    "POWER_USAGE=$(metric DCGM_FI_DEV_POWER_USAGE "$index") MEM_CLOCK=$(metric DCGM_FI_DEV_MEM_CLOCK "$index")" \
    "SM_CLOCK=$(metric DCGM_FI_DEV_SM_CLOCK "$index") GPU_UTIL=$(metric DCGM_FI_DEV_GPU_UTIL "$index")" \
    "ENERGY=$(metric DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION "$index") XID=$(metric DCGM_FI_DEV_XID_ERRORS "$index")"
  if within "$fb_used" "$used" 64; then pass "GPU $index FB_USED $fb_used MiB = memory.used $used"
  elif within "$fb_used" "$((used + reserved))" 64; then fail "GPU $index FB_USED $fb_used MiB counts the driver's reserved memory ($used used + $reserved reserved)"
  else fail "GPU $index FB_USED $fb_used MiB, nvidia-smi memory.used $used (+ $reserved reserved)"; fi
  fb_reserved=$(metric DCGM_FI_DEV_FB_RESERVED "$index")
  if within "$fb_reserved" "$reserved" 2; then pass "GPU $index FB_RESERVED $fb_reserved MiB = memory.reserved $reserved"; else fail "GPU $index FB_RESERVED '$fb_reserved' MiB, nvidia-smi memory.reserved $reserved"; fi
  if within "$fb_free" "$free" 64; then pass "GPU $index FB_FREE $fb_free MiB = memory.free $free"; else fail "GPU $index FB_FREE $fb_free MiB, nvidia-smi $free"; fi
  if within "$(metric DCGM_FI_DEV_GPU_TEMP "$index")" "$temp" 3; then pass "GPU $index temperature"; else fail "GPU $index GPU_TEMP differs from $temp °C"; fi
  if within "$(metric DCGM_FI_DEV_POWER_USAGE "$index")" "$power" 30; then pass "GPU $index power"; else fail "GPU $index POWER_USAGE differs from $power W by more than 30 W"; fi
  if within "$(metric DCGM_FI_DEV_MEM_CLOCK "$index")" "$memclock" 50; then pass "GPU $index memory clock"; else fail "GPU $index MEM_CLOCK differs from $memclock MHz"; fi
  if echo "$metrics" | grep -q "^raygpu_device_health{gpu=\"$index\",.*state=\"healthy\"} 1"; then pass "GPU $index healthy"; else fail "GPU $index is not reported healthy"; fi
done <<<"$smi"

# --- 4: under load -----------------------------------------------------------------------------
if command -v python3 >/dev/null 2>&1 && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  echo "==> load on GPU 0: 8 GiB allocated, bf16 matrix products until the agent has sampled them"
  before=$(metric DCGM_FI_DEV_FB_USED 0)
  LOAD_RUNNING="$work/load-running" LOAD_STOP="$work/load-stop" python3 - <<'EOF' &
import os, time, torch
hold = torch.empty(8 << 30, dtype=torch.uint8, device="cuda:0")
a = torch.randn(8192, 8192, device="cuda:0", dtype=torch.bfloat16)
end = time.time() + 60
while time.time() < end and not os.path.exists(os.environ["LOAD_STOP"]):
    for _ in range(20):
        a @ a
    torch.cuda.synchronize()
    open(os.environ["LOAD_RUNNING"], "w").close()
EOF
  load_pid=$!
  # Start-up (PyTorch import, CUDA context) takes seconds: sample once the products run.
  for _ in $(seq 1 600); do [ -e "$work/load-running" ] && break; kill -0 "$load_pid" 2>/dev/null || break; sleep 0.1; done
  sleep 2.5 # two samples at the 1 s interval
  metrics=$(curl -s --max-time 5 "$base/metrics")
  touch "$work/load-stop"
  util=$(metric DCGM_FI_DEV_GPU_UTIL 0)
  during=$(metric DCGM_FI_DEV_FB_USED 0)
  echo "    GPU 0 under load: GPU_UTIL=$util FB_USED=$during (idle $before) POWER_USAGE=$(metric DCGM_FI_DEV_POWER_USAGE 0) SM_CLOCK=$(metric DCGM_FI_DEV_SM_CLOCK 0)"
  if [ -n "$util" ] && [ "$util" -ge 50 ]; then pass "GPU 0 utilisation rose to $util %"; else fail "GPU 0 utilisation under load is '$util' %"; fi
  if [ -n "$during" ] && [ -n "$before" ] && [ $((during - before)) -ge 8192 ]; then pass "GPU 0 FB_USED rose by $((during - before)) MiB"; else fail "GPU 0 FB_USED under load '$during', idle '$before'"; fi
  wait "$load_pid"
else
  echo "==> no python3 with PyTorch and CUDA here: the load step is skipped"
fi

# --- 5: footprint and shutdown -----------------------------------------------------------------
if [ -r "/proc/$agent_pid/status" ]; then
  echo "    agent memory on the real driver: $(grep -E '^Vm(RSS|HWM)' "/proc/$agent_pid/status" | tr -s ' \t' ' ' | paste -sd ' ')"
fi
kill -TERM "$agent_pid"
stopped=""
for _ in $(seq 1 100); do
  if ! kill -0 "$agent_pid" 2>/dev/null; then stopped=yes; break; fi
  sleep 0.1
done
if [ -n "$stopped" ]; then
  wait "$agent_pid"; code=$?
  if [ "$code" -eq 0 ]; then pass "SIGTERM: the agent stopped with exit code 0"; else fail "SIGTERM: exit code $code"; fi
else
  fail "the agent did not stop within 10 s of SIGTERM"
fi
echo "==> agent log (warnings and errors)"
grep -E '"LogLevel":"(Warning|Error|Critical)"' "$work/agent.log" | grep -v 'with the kubelet failed' \
  | sed -n 's/.*"Message":"\([^"]*\)".*/  \1/p' | cut -c1-240 | head -20

if [ "$failures" -eq 0 ]; then
  echo "gpu-check: OK, $gpus GPUs checked."
else
  echo "gpu-check: $failures check(s) FAILED (above)." >&2
  exit 1
fi
