#!/usr/bin/env bash
# The development container's properties (dev-props.sh: Properties 2, 3, 4 and 6,
# ownership, recreation, concurrency, an unreachable engine) with podman as the
# engine (LAMBDA_DOCKER=podman; docker/engine.sh's podman options). Prints TAP.
set -euo pipefail
LAMBDA_TEST_ENGINE=podman exec bash "$(dirname "$0")/dev-props.sh"
