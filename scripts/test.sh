#!/usr/bin/env bash
# Runs every test of the repository: the .NET test projects (unit, service, in-process integration)
# and whatever they need from npm (independent protocol peers, Helm). Prints one summary line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm-based test tools, one folder each under tests/tools/ (pinned by package-lock.json): installed once,
# and again whenever the lock file changes (a stamp of it is kept in node_modules), so a checkout that
# pulls a new peer does not run against the old ones.
for dir in tests/tools/*/; do
  [ -f "$dir/package.json" ] || continue
  stamp="$dir/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "==> npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Platform.sln --nologo "$@" 2>&1 | tee "$log" || status=$?

# dotnet test prints one line per test assembly; add them up into the one closing line.
awk '
  /(Passed|Failed)!  *- *Failed: / {
    gsub(/,/, " ");
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i+1);
      if ($i == "Passed:") p += $(i+1);
      if ($i == "Skipped:") s += $(i+1);
    }
    seen = 1
  }
  END { if (seen) printf "%d passed, %d failed, %d skipped\n", p, f, s; else print "no test summary found" }
' "$log"
exit $status
