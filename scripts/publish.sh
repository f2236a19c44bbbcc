#!/usr/bin/env bash
# Publishes one component as a self-contained NativeAOT binary: the exact command Dockerfile.webhook and
# Dockerfile.plugin run, and that CI runs (.ci/run), so a change that breaks the images' build breaks CI.
#
#   scripts/publish.sh webhook <outdir>       -> <outdir>/raygpu-webhook
#   scripts/publish.sh node-agent <outdir>    -> <outdir>/raygpu-node-agent
#   scripts/publish.sh --restore webhook      restore only (the Dockerfiles cache this layer)
#
# The runtime identifier follows the machine (linux-x64 or linux-arm64); RID=... overrides it. Needs the .NET SDK of
# global.json and a C toolchain with zlib (clang or gcc, zlib1g-dev): NativeAOT links with the platform linker.
set -euo pipefail
cd "$(dirname "$0")/.."

restore_only=false
if [ "${1:-}" = "--restore" ]; then
  restore_only=true
  shift
fi

usage() { echo "usage: scripts/publish.sh [--restore] webhook|node-agent <outdir>" >&2; exit 2; }

case "${1:-}" in
  webhook)    project=src/Webhook/Webhook.csproj;     assembly=Platform.Webhook;   binary=raygpu-webhook ;;
  node-agent) project=src/NodeAgent/NodeAgent.csproj; assembly=Platform.NodeAgent; binary=raygpu-node-agent ;;
  *) usage ;;
esac

if [ -z "${RID:-}" ]; then
  case "$(uname -m)" in
    x86_64|amd64)  RID=linux-x64 ;;
    aarch64|arm64) RID=linux-arm64 ;;
    *) echo "scripts/publish.sh: no NativeAOT runtime identifier for $(uname -m); set RID" >&2; exit 2 ;;
  esac
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if $restore_only; then
  exec dotnet restore "$project" -r "$RID" -p:PublishAot=true
fi

[ -n "${2:-}" ] || usage
out=$2
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
# Publish restores too; after `--restore` (the Dockerfiles' cached layer) that is a no-op that needs no network.
dotnet publish "$project" -c Release -r "$RID" -p:PublishAot=true -o "$staging" --nologo
mkdir -p "$out"
install -m 0555 "$staging/$assembly" "$out/$binary"
echo "published $out/$binary ($RID, $(du -h "$out/$binary" | cut -f1))"
