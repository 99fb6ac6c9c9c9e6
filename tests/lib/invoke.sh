#!/usr/bin/env bash
# The local-invoke command is installed now (docker/lambda-invoke.sh); this path
# stays for the tests that call it.
set -euo pipefail
exec "$(dirname "$0")/../../docker/lambda-invoke.sh" "$@"
