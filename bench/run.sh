#!/usr/bin/env bash
# `npm run bench`: installs what the benchmark needs (Debian: docker-registry, skopeo, hyperfine, time), builds
# regctl and runs bench/bench.ts, which writes bench/results/latest.md and README's performance table.
# Arguments pass through (e.g. --only digest, --runs 7). Generated images are cached in bench/.cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(docker-registry skopeo hyperfine time)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench: missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

[[ -d node_modules ]] || npm ci
npm run build >&2
exec node --import tsx bench/bench.ts "$@"
