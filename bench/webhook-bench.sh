#!/usr/bin/env bash
# Webhook performance figures, all measured in one run on this machine:
#   1. AdmissionHandler in process (BenchmarkDotNet): mean and allocations per ~10 KB GPU-worker review, vs the 25 us / 16 KB target.
#   2. HTTPS on loopback with wrk (HTTP/1.1, 16 connections): /mutate throughput / a minimal Kestrel HTTPS endpoint
#      with the same TLS setup (reported; an earlier issue's target was >= 0.8), in BENCH_ROUNDS (default 4) rounds in rotated order (A B C D, B C D A,
#      ...) so that a machine drifting or stalling during the run favours no endpoint; the ratio is of the totals, and
#      each round's own ratio is printed to show the spread. C is the minimal endpoint that also reads the body as
#      JSON (/validate), the floor of any webhook that must 400 bad JSON; D parses it into a JsonDocument as the
#      webhook's AdmissionRequest does (/scan), the floor of /mutate's reading.
#   3. p99 latency at a fixed 2,000 req/s (reported; an earlier issue's target was <= 2 ms), open loop, for /mutate and the baseline, with the bench
#      project's `latency` client (OpenLoopClient.cs): HTTP/2 like the apiserver, a request due every 0.5 ms over 4
#      sessions whether or not earlier ones answered, and how late the client sent them. Not h2load --rps: it sends in
#      bursts (16 clients at 125/s fire in phase, 16 at once), so it measured the queueing of bursts.
#   4. RSS of the webhook after >= 100k requests.
#   5. NativeAOT: binary size, time to ready, RSS idle, after 100k requests, and while 3,000 idle TLS connections are
#      held (bench/idle-connections.py, Python's ssl) against Connections:MaxConnections (default 256), with how many
#      the server closed to stay at its cap.
# Step 2 also reads each server's CPU time (utime + stime, /proc/<pid>/stat) around every wrk run: server CPU per
# request, webhook vs the minimal endpoint in the same run, and their ratio (baseline / webhook; aim >= 0.75).
#   With --profile, step 2 is followed by one more wrk run per server under `perf record` (call graphs, 999 Hz) and the
#   CPU per request of each is split into categories (bench/perf-categories.py: JSON parse, repeated-member checks,
#   mutation core, response, TLS, kernel, GC threads, JIT, Kestrel...): where /mutate's extra CPU over the minimal
#   endpoint goes. Needs perf (apt-get install linux-perf) allowed to sample this user's processes
#   (kernel.perf_event_paranoid <= 2); the servers then run with DOTNET_PerfMapEnabled=1 and W^X off, so that perf
#   can name JIT-compiled frames.
# Usage: bench/webhook-bench.sh [--skip-aot] [--skip-handler] [--no-build] [--profile]   (needs wrk and h2load: apt-get install wrk nghttp2-client)
#   --no-build runs the Release builds already in bin/ with the .NET runtime alone (a machine without the SDK; steps 1
#   and 5 need the SDK, so pass --skip-handler --skip-aot there too). BENCH_WRK_THREADS (default 2) sets wrk's threads:
#   on a machine with many cores two client threads can be what limits the minimal endpoint.
set -euo pipefail
cd "$(dirname "$0")/.."

SKIP_AOT=0; SKIP_HANDLER=0; NO_BUILD=0; PROFILE=0
for arg in "$@"; do
  case "$arg" in
    --profile) PROFILE=1 ;;
    --skip-aot) SKIP_AOT=1 ;;
    --skip-handler) SKIP_HANDLER=1 ;;
    --no-build) NO_BUILD=1 ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
for tool in wrk h2load curl openssl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nghttp2-client curl openssl" >&2; exit 2; }
done
SERVER_ENV=()
if [ "$PROFILE" = 1 ]; then
  command -v perf >/dev/null || { echo "--profile needs perf: apt-get install -y linux-perf" >&2; exit 2; }
  SERVER_ENV=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
fi

WORK=$(mktemp -d /tmp/webhook-bench.XXXXXX)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

ADMISSION_PORT=19443; HEALTH_PORT=19080; BASELINE_PORT=19444; AOT_PORT=19445; AOT_HEALTH=19081
# A server left running on one of these ports would answer in place of the one started here.
for port in $ADMISSION_PORT $HEALTH_PORT $BASELINE_PORT $AOT_PORT $AOT_HEALTH; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use on 127.0.0.1; stop what listens there first" >&2; exit 2
  fi
done
CONNECTIONS=16; DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-4}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_ROUNDS must be a whole number of rounds, 1 or more (got '$ROUNDS')" >&2; exit 2; }

WEBHOOK_DLL=src/Webhook/bin/Release/net10.0/Platform.Webhook.dll
BENCH_DLL=bench/Webhook.Benchmarks/bin/Release/net10.0/Platform.Webhook.Benchmarks.dll
if [ "$NO_BUILD" = 0 ]; then
  echo "==> build (Release)"
  dotnet build -c Release --nologo -v q src/Webhook >/dev/null
  dotnet build -c Release --nologo -v q bench/Webhook.Benchmarks >/dev/null
else
  for dll in "$WEBHOOK_DLL" "$BENCH_DLL"; do [ -f "$dll" ] || { echo "--no-build: $dll is missing; build it first" >&2; exit 2; }; done
fi
echo "==> $(nproc) cores; wrk with ${BENCH_WRK_THREADS:-2} threads"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/tls.key" -out "$WORK/tls.crt" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cp bench/Webhook.Benchmarks/a10g-policy.yaml "$WORK/policy.yaml"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",",":")), end="")' \
  tests/Webhook.Tests/Hosting/Pods/gpu-worker-admission-review.json > "$WORK/body.json"
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/body.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

if [ "$SKIP_HANDLER" = 0 ]; then
  echo "==> 1. AdmissionHandler in process (BenchmarkDotNet ShortRun)"
  (cd "$WORK" && dotnet "$OLDPWD/$BENCH_DLL" handler --artifacts "$WORK/bdn") | tee "$WORK/bdn.log" | grep -E "^\|| RESULT|Handle|ParseOnly" | grep -v "^\s*$" || true
  grep '^RESULT' "$WORK/bdn.log" > "$WORK/results.txt" || true
fi

webhook_args=(--Tls:CertFile="$WORK/tls.crt" --Tls:KeyFile="$WORK/tls.key" --Policy:File="$WORK/policy.yaml"
  --Health:ShutdownDelaySeconds=0 --Logging:LogLevel:Default=Warning)

wait_ready() { # url, timeout seconds
  local deadline=$((SECONDS + $2))
  until curl -sfk -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "not ready: $1" >&2; return 1; }
    sleep 0.05
  done
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
wrk_rps() { # url [server pid] -> requests/s; with a pid, appends "<ticks> <requests>" of the run to $WORK/cpu.<pid>
  local before after out
  [ -z "${2:-}" ] || before=$(cpu_ticks "$2")
  out=$(wrk -t"${BENCH_WRK_THREADS:-2}" -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/post.lua" "$1" | tee -a "$WORK/wrk.log")
  if [ -n "${2:-}" ]; then
    after=$(cpu_ticks "$2")
    echo "$((after - before)) $(awk '/requests in/ {print $1}' <<< "$out")" >> "$WORK/cpu.$2"
  fi
  awk '/Requests\/sec/ {print $2}' <<< "$out"
}
us_per_request() { # pid -> server CPU microseconds per request over its measured runs
  awk -v hz="$(getconf CLK_TCK)" '{t += $1; n += $2} END {printf "%.1f", n ? t / hz * 1e6 / n : 0}' "$WORK/cpu.$1"
}
LATENCY_RATE=2000; LATENCY_CONNECTIONS=4; LATENCY_DURATION=${BENCH_LATENCY_DURATION:-10}
open_loop() { # url -> the client's summary line (p50_ms=… p99_ms=… ok=… send_lateness_p99_ms=…); fails on any failed request
  dotnet "$BENCH_DLL" latency --url "$1" --body "$WORK/body.json" --rate "$LATENCY_RATE" \
    --duration "$LATENCY_DURATION" --warmup 2 --connections "$LATENCY_CONNECTIONS"
}
field() { tr ' ' '\n' <<< "$2" | awk -F= -v k="$1" '$1 == k {print $2}'; } # key, summary line -> value

echo "==> 2. HTTPS throughput: /mutate vs minimal Kestrel HTTPS endpoint, and it with JSON validation (wrk, $CONNECTIONS connections, $ROUNDS rounds of ${DURATION}s each)"
env "${SERVER_ENV[@]}" dotnet "$WEBHOOK_DLL" --urls=https://127.0.0.1:$ADMISSION_PORT --Health:Port=$HEALTH_PORT "${webhook_args[@]}" > "$WORK/webhook.log" 2>&1 &
WEBHOOK_PID=$!; PIDS+=("$WEBHOOK_PID")
env "${SERVER_ENV[@]}" dotnet "$BENCH_DLL" baseline-server --urls=https://127.0.0.1:$BASELINE_PORT --Tls:CertFile="$WORK/tls.crt" --Tls:KeyFile="$WORK/tls.key" > "$WORK/baseline.log" 2>&1 &
BASELINE_PID=$!; PIDS+=("$BASELINE_PID")
wait_ready "http://127.0.0.1:$HEALTH_PORT/readyz" 30
until curl -sk -o /dev/null -X POST -H 'content-type: application/json' --data-binary @"$WORK/body.json" https://127.0.0.1:$BASELINE_PORT/; do sleep 0.05; done
curl -sk -X POST -H 'content-type: application/json' --data-binary @"$WORK/body.json" https://127.0.0.1:$ADMISSION_PORT/mutate | grep -q '"patch"' \
  || { echo "/mutate did not patch the fixture" >&2; exit 1; }
# Warm-up (JIT tiering, connection pools). With both cores saturated the tier-1 recompiles of the /mutate path
# queue behind the load: its throughput was still climbing 4 k -> 7 k -> 12 k -> 14 k req/s over the first 16 s,
# so a 3 s warm-up put cold code into the first measured run. Each endpoint gets WARMUP seconds (default 15).
WARMUP=${BENCH_WARMUP:-15}
URLS=(https://127.0.0.1:$ADMISSION_PORT/mutate https://127.0.0.1:$BASELINE_PORT/ https://127.0.0.1:$BASELINE_PORT/validate https://127.0.0.1:$BASELINE_PORT/scan)
for url in "${URLS[@]}"; do DURATION=$WARMUP wrk_rps "$url" >/dev/null; done
declare -A rps
for round in $(seq 1 "$ROUNDS"); do
  # Round r starts at endpoint r-1 (a Latin square): each endpoint takes every position once, no endpoint runs
  # twice in a row, and (for a multiple of 4 rounds) every endpoint's runs have the same mean time in the run, so
  # neither drift nor a slow spell of a few seconds lands on one endpoint's runs alone.
  order=(); for k in 0 1 2 3; do order+=($(( (round - 1 + k) % 4 ))); done
  # CPU is read for /mutate (the webhook process) and / (the minimal endpoint's process) only.
  for i in "${order[@]}"; do
    pid=""; [ "$i" = 0 ] && pid=$WEBHOOK_PID; [ "$i" = 1 ] && pid=$BASELINE_PID
    rps[$round,$i]=$(wrk_rps "${URLS[$i]}" $pid)
  done
  echo "round $round: mutate ${rps[$round,0]} baseline ${rps[$round,1]} validate ${rps[$round,2]} scan ${rps[$round,3]} req/s" \
    "mutate/baseline $(awk -v a="${rps[$round,0]}" -v b="${rps[$round,1]}" 'BEGIN {printf "%.3f", a/b}')"
done
list() { local out=() r; for r in $(seq 1 "$ROUNDS"); do out+=("${rps[$r,$1]}"); done; (IFS=,; echo "${out[*]}"); }
total() { tr , '\n' <<< "$(list "$1")" | awk '{s += $1} END {print s}'; }
ratio() { awk -v a="$(total "$1")" -v b="$(total "$2")" 'BEGIN {printf "%.3f", a/b}'; }
per_round=$(for r in $(seq 1 "$ROUNDS"); do awk -v a="${rps[$r,0]}" -v b="${rps[$r,1]}" 'BEGIN {printf "%.3f\n", a/b}'; done | paste -sd,)
ratio=$(ratio 0 1)
echo "RESULT mutate_rps=$(list 0) baseline_rps=$(list 1) throughput_ratio=$ratio (per round $per_round) reported (earlier target >= 0.8: $(awk -v r="$ratio" 'BEGIN {print (r >= 0.8 ? "meets" : "misses")}'))" | tee -a "$WORK/results.txt"
# The same minimal endpoint that also reads the body as JSON token by token (Utf8JsonReader), the least a webhook
# does that must answer undecodable JSON with 400: how much of the target the validation alone takes on this machine.
echo "RESULT validate_only_rps=$(list 2) validate_only_to_baseline=$(ratio 2 1) mutate_to_validate_only=$(ratio 0 2)" | tee -a "$WORK/results.txt"
echo "RESULT scan_only_rps=$(list 3) scan_only_to_baseline=$(ratio 3 1) mutate_to_scan_only=$(ratio 0 3)" | tee -a "$WORK/results.txt"
mutate_us=$(us_per_request "$WEBHOOK_PID"); baseline_us=$(us_per_request "$BASELINE_PID")
cpu_ratio=$(awk -v b="$baseline_us" -v m="$mutate_us" 'BEGIN {printf "%.3f", m ? b / m : 0}')
echo "RESULT server_cpu_us_per_request mutate=$mutate_us baseline=$baseline_us cpu_ratio_baseline_over_mutate=$cpu_ratio aim>=0.75 ($(awk -v r="$cpu_ratio" 'BEGIN {print (r >= 0.75 ? "meets" : "MISSES")}'))" | tee -a "$WORK/results.txt"

if [ "$PROFILE" = 1 ]; then
  echo "==> 2b. where the CPU goes: one more ${DURATION}s wrk run per server under perf record"
  profile_server() { # url pid label
    local data="$WORK/perf.$3.data"
    rm -f "$WORK/cpu.$2"
    perf record -F 999 -g -p "$2" -o "$data" -- sleep $((DURATION + 2)) > "$WORK/perf.$3.log" 2>&1 &
    local perf_pid=$!
    sleep 1
    wrk_rps "$1" "$2" > /dev/null
    wait "$perf_pid" || { cat "$WORK/perf.$3.log" >&2; return 1; }
    perf script -i "$data" -F comm,tid,ip,sym,dso 2>/dev/null \
      | python3 bench/perf-categories.py --cpu-us-per-request "$(us_per_request "$2")" --label "$3" | tee -a "$WORK/categories.txt"
  }
  profile_server "${URLS[0]}" "$WEBHOOK_PID" mutate
  profile_server "${URLS[1]}" "$BASELINE_PID" baseline
  # The same category in both servers, side by side: what /mutate adds per request, and to what.
  awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); f[kv[1]] = kv[2]}; sub(/.* name=/, ""); us[f["server"], $0] = f["us_per_request"]; names[$0] = 1}
       END {for (n in names) printf "RESULT cpu_category mutate_us=%.1f baseline_us=%.1f extra_us=%.1f name=%s\n", us["mutate", n], us["baseline", n], us["mutate", n] - us["baseline", n], n}' \
    "$WORK/categories.txt" | sort -t= -k4 -g -r | tee -a "$WORK/results.txt"
fi

echo "==> 3. latency at a fixed $LATENCY_RATE req/s, open loop (HTTP/2, $LATENCY_CONNECTIONS sessions, ${LATENCY_DURATION}s after 2s warm-up)"
# Percentiles leave failed requests out, so a run with any is no figure: stop (the tool exits 1 and says why).
mline=$(open_loop https://127.0.0.1:$ADMISSION_PORT/mutate) || { echo "latency client failed on /mutate: $mline" >&2; exit 1; }
echo "/mutate:  $mline"
bline=$(open_loop https://127.0.0.1:$BASELINE_PORT/) || { echo "latency client failed on the baseline: $bline" >&2; exit 1; }
echo "baseline: $bline"
# A send lateness p99 close to the latency p99 means the client, not the server, was late: rerun on a quieter machine.
m99=$(field p99_ms "$mline")
echo "RESULT mutate_p50_ms=$(field p50_ms "$mline") mutate_p99_ms=$m99 (n=$(field ok "$mline")) reported (earlier target p99 <= 2 ms: $(awk -v p="$m99" 'BEGIN {print (p <= 2 ? "meets" : "misses")}'))" \
  "baseline_p50_ms=$(field p50_ms "$bline") baseline_p99_ms=$(field p99_ms "$bline") (n=$(field ok "$bline"))" \
  "mutate_send_lateness_p99_ms=$(field send_lateness_p99_ms "$mline") baseline_send_lateness_p99_ms=$(field send_lateness_p99_ms "$bline")" | tee -a "$WORK/results.txt"

echo "==> 4. RSS after >= 100k requests"
served=$(curl -s http://127.0.0.1:$HEALTH_PORT/metrics | awk '/^raygpu_webhook_admissions_total/ {s += $2} END {printf "%d", s}')
if [ "$served" -lt 100000 ]; then
  h2load -c "$CONNECTIONS" -m 1 -n $((100000 - served)) -d "$WORK/body.json" -H 'content-type: application/json' https://127.0.0.1:$ADMISSION_PORT/mutate > /dev/null
fi
served=$(curl -s http://127.0.0.1:$HEALTH_PORT/metrics | awk '/^raygpu_webhook_admissions_total/ {s += $2} END {printf "%d", s}')
echo "RESULT jit_rss_mib=$(( $(rss_kib "$WEBHOOK_PID") / 1024 )) after_requests=$served" | tee -a "$WORK/results.txt"
for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=()

if [ "$SKIP_AOT" = 0 ]; then
  echo "==> 5. NativeAOT publish (linux-x64)"
  dotnet publish src/Webhook -c Release -r linux-x64 -p:PublishAot=true --nologo -o "$WORK/aot" > "$WORK/publish.log" 2>&1 \
    || { tail -30 "$WORK/publish.log"; exit 1; }
  warnings=$(grep -cE "warning (IL|AOT)[0-9]+" "$WORK/publish.log" || true)
  start_ns=$(date +%s%N)
  "$WORK/aot/Platform.Webhook" --urls=https://127.0.0.1:$AOT_PORT --Health:Port=$AOT_HEALTH "${webhook_args[@]}" > "$WORK/aot.log" 2>&1 &
  AOT_PID=$!; PIDS+=("$AOT_PID")
  wait_ready "http://127.0.0.1:$AOT_HEALTH/readyz" 30
  ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  idle_rss=$(( $(rss_kib "$AOT_PID") / 1024 ))
  # The AOT build must behave like the JIT one: the YAML policy loaded (YamlDotNet) and the worker patched.
  curl -sk -X POST -H 'content-type: application/json' --data-binary @"$WORK/body.json" https://127.0.0.1:$AOT_PORT/mutate \
    | python3 -c 'import json,sys,base64; r=json.load(sys.stdin)["response"]; p=base64.b64decode(r["patch"]).decode(); assert "NVIDIA-A10G" in p, p' \
    || { echo "the AOT binary did not apply the a10g profile" >&2; exit 1; }
  h2load -c "$CONNECTIONS" -m 1 -n 100000 -d "$WORK/body.json" -H 'content-type: application/json' https://127.0.0.1:$AOT_PORT/mutate > "$WORK/aot-h2load.out"
  aot_rps=$(awk '/^finished in/ {print $4}' "$WORK/aot-h2load.out")
  after_100k=$(( $(rss_kib "$AOT_PID") / 1024 ))
  # 3,000 idle TLS connections, each after one request (GET /mutate: 405, kept alive), held while RSS is read.
  IDLE=${BENCH_IDLE_CONNECTIONS:-3000}
  mkfifo "$WORK/idle.in"; exec 7<>"$WORK/idle.in"
  python3 bench/idle-connections.py --port $AOT_PORT --count "$IDLE" < "$WORK/idle.in" > "$WORK/idle.out" &
  IDLE_PID=$!; PIDS+=("$IDLE_PID")
  until grep -q HOLDING "$WORK/idle.out"; do kill -0 "$IDLE_PID" || { cat "$WORK/idle.out"; exit 1; }; sleep 0.2; done
  idle_conn_rss=$(( $(rss_kib "$AOT_PID") / 1024 ))
  server_conns=$(curl -s http://127.0.0.1:$AOT_HEALTH/metrics | awk '/^raygpu_webhook_connections / {print $2}')
  echo >&7; wait "$IDLE_PID"; exec 7>&-
  echo "RESULT aot_binary_mib=$(awk -v b="$(stat -c %s "$WORK/aot/Platform.Webhook")" 'BEGIN {printf "%.1f", b/1048576}') aot_publish_warnings=$warnings aot_time_to_ready_ms=$ready_ms aot_rss_idle_mib=$idle_rss aot_rss_after_100k_mib=$after_100k aot_h2load_rps=$aot_rps" | tee -a "$WORK/results.txt"
  echo "RESULT aot_rss_with_${IDLE}_idle_tls_mib=$idle_conn_rss server_connections=$server_conns client: $(sed -n 's/^RESULT //p' "$WORK/idle.out") (chart limit 128 MiB)" | tee -a "$WORK/results.txt"
fi

echo
echo "==> summary ($(nproc) cores, $(date -u +%FT%TZ))"
cat "$WORK/results.txt"
