#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Set up, build, and serve the demo site on http://127.0.0.1:8080/site/ (PORT=... to change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}"
