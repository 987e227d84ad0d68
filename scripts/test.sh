#!/usr/bin/env bash
# test.sh: the whole test suite. Installs what is missing, builds, then runs every
# ctest label (unit, fuzz-replay, integration, browser) in build/. Run as root
# (integration tests create network namespaces and nft rules inside them).
# Extra arguments go to ctest, e.g. `bash scripts/test.sh -L unit`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup.sh"
cd "$top/build"
ctest --output-on-failure --timeout 600 "$@"
