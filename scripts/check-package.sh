#!/usr/bin/env bash
# Packs the package as npm would publish it (from the dist/ of the last build; no scripts run) and checks it:
# publint (package.json fields, files, exports) and @arethetypeswrong/cli (the types each entry point resolves to,
# for an ES-module-only package). Usage: scripts/check-package.sh [TARBALL]; exits non-zero on any problem.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tarball=${1:-}
if [[ -z "$tarball" ]]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/regctl-pack-XXXXXX")
  trap 'rm -rf "$dir"' EXIT
  npm pack --ignore-scripts --silent --pack-destination "$dir" >/dev/null
  tarball=$(ls "$dir"/*.tgz)
fi
npx --no-install publint run "$tarball" --strict
npx --no-install attw "$tarball" --profile esm-only --no-color --no-emoji
