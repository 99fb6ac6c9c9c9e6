#!/usr/bin/env bash
# The vendoring command is installed now (docker/lambda-vendor.sh); this path
# stays for the tests and benchmarks that call it.
set -euo pipefail
exec "$(dirname "$0")/../../docker/lambda-vendor.sh" "$@"
