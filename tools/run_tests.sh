#!/usr/bin/env bash
# Install what is missing, then run the test suite:
#   bash tools/run_tests.sh [pytest arguments]     e.g. -m "not slow"
set -euo pipefail
# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
bash "$REPO_DIR/tools/install.sh" --tests
cd "$REPO_DIR"
exec "$VENV/bin/python" -m pytest "$@"
