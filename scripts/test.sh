#!/usr/bin/env bash
# regctl's test suite (`npm test`): installs the real components the tests start, builds dist/,
# runs every test/**/*.test.ts (or the files given as arguments) and ends with one line
# "N passed, N failed[, N skipped]". Exits non-zero if a test failed, none ran, or any was skipped (a judge that
# is not installed, a test marked todo) unless REGCTL_ALLOW_SKIP=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The Debian packages whose programs the tests run. Checked by package, not by binary name: a dynamically linked
# busybox or a docker client from elsewhere on PATH must not stand in for busybox-static or Debian's dockerd.
PACKAGES=(docker-registry apache2-utils skopeo pass gnupg gnome-keyring golang-docker-credential-helpers dbus openssl docker.io podman containerd umoci zstd busybox-static hyperfine time zsh fish python3 python3-cryptography python3-nacl)
TEST_TIMEOUT_MS=180000

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || echo "$pkg"
  done
}

missing=$(missing_packages)
if [[ -n "$missing" ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing Debian packages: $(echo $missing)" >&2
    echo "install them with: sudo apt-get install -y $(echo $missing)" >&2
    exit 1
  fi
  echo "test.sh: installing $(echo $missing)" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}"
  missing=$(missing_packages)
  if [[ -n "$missing" ]]; then
    echo "test.sh: still missing after apt-get install: $(echo $missing)" >&2
    exit 1
  fi
fi

[[ -d node_modules ]] || npm ci
if ! npm run build; then
  echo "test.sh: npm run build failed; no test was run" >&2
  exit 1
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
fi

tap_file=$(mktemp "${TMPDIR:-/tmp}/regctl-test-XXXXXX.tap")
trap 'rm -f "$tap_file"' EXIT

status=0
if [[ ${#files[@]} -gt 0 ]]; then
  node --import tsx --test --test-concurrency=2 --test-timeout="$TEST_TIMEOUT_MS" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap_file" \
    "${files[@]}" || status=$?
fi

# The runner's closing summary: unindented "# pass N" lines; the last one wins.
# Cancelled tests (a timeout, a failing hook) count as failed, todo ones as skipped.
count() {
  awk -v key="$1" '$0 ~ "^# " key " [0-9]+$" { n = $3 } END { print n + 0 }' "$tap_file"
}
passed=$(count pass)
failed=$(( $(count fail) + $(count cancelled) ))
skipped=$(( $(count skipped) + $(count todo) ))

summary="$passed passed, $failed failed"
(( skipped > 0 )) && summary+=", $skipped skipped"
echo "$summary"

if (( failed > 0 || passed + failed == 0 )); then
  exit 1
fi
if (( skipped > 0 )) && [[ "${REGCTL_ALLOW_SKIP:-}" != 1 ]]; then
  echo "test.sh: $skipped test(s) skipped; every test must run (REGCTL_ALLOW_SKIP=1 allows skips):" >&2
  grep -E '# (SKIP|TODO)' "$tap_file" | sed 's/^ */  /' >&2 || true
  exit 1
fi
if (( status != 0 )); then
  echo "test.sh: node --test exited with status $status" >&2
  exit "$status"
fi
