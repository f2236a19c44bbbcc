#!/usr/bin/env bash
# Packs what `bench/webhook-bench.sh --no-build` needs for a machine of the same architecture that has this
# repository but neither the .NET SDK nor a package manager (a lent GPU node, a bare VM): the Release builds of
# the webhook and the bench project, the .NET runtime (host, Microsoft.NETCore.App, Microsoft.AspNetCore.App),
# and wrk, h2load and openssl with the libraries they load that a base image may lack.
#   bench/pack-runtime-bundle.sh [OUT]          (default .bundle/webhook-bench.tar.xz; ~45 MB, ~1 min)
# There, from the repository root:
#   tar -xJf webhook-bench.tar.xz && .bundle/run.sh [--skip-... and BENCH_* as for webhook-bench.sh]
# which runs steps 2-4 (throughput ratio, latency at 2,000 req/s, RSS) with BENCH_WRK_THREADS=8 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.bundle/webhook-bench.tar.xz}
for tool in wrk h2load openssl xz; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nghttp2-client openssl xz-utils" >&2; exit 2; }
done
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")

echo "==> build (Release)"
dotnet build -c Release --nologo -v q src/Webhook >/dev/null
dotnet build -c Release --nologo -v q bench/Webhook.Benchmarks >/dev/null

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/.bundle/dotnet/shared" "$stage/.bundle/bin" "$stage/.bundle/lib"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$stage/.bundle/dotnet/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/shared/Microsoft.AspNetCore.App" "$stage/.bundle/dotnet/shared/"
for tool in wrk h2load openssl; do
  cp -L "$(command -v "$tool")" "$stage/.bundle/bin/"
  # Everything the tool loads except the C library itself, which must be the target's own.
  ldd "$(command -v "$tool")" | awk '$3 ~ /^\// {print $3}' | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' \
    | while read -r lib; do cp -Ln "$lib" "$stage/.bundle/lib/"; done
done
for project in src/Webhook bench/Webhook.Benchmarks; do
  mkdir -p "$stage/$project/bin/Release/net10.0"
  (cd "$project/bin/Release/net10.0" && tar --exclude=./linux-x64 --exclude=./runtimes/win --exclude=./runtimes/osx -cf - .) \
    | (cd "$stage/$project/bin/Release/net10.0" && tar -xf -)
done
cat > "$stage/.bundle/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs bench/webhook-bench.sh on the bundled runtime and tools (see bench/pack-runtime-bundle.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD/.bundle
export DOTNET_ROOT=$here/dotnet PATH=$here/dotnet:$here/bin:$PATH LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export BENCH_WRK_THREADS=${BENCH_WRK_THREADS:-8}
exec bash bench/webhook-bench.sh --no-build --skip-handler --skip-aot "$@"
RUN
chmod +x "$stage/.bundle/run.sh"
mkdir -p "$(dirname "$out")"
echo "==> packing $out"
(cd "$stage" && tar -cf - .bundle src bench | xz -T0 -6) > "$out"
echo "$(du -h "$out" | cut -f1) $out"
