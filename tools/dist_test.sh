#!/usr/bin/env bash
# Test with N processes (one per GPU, or CPU processes where there is none):
#   bash tools/dist_test.sh CONFIG CHECKPOINT N [test.py options]
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash $0 CONFIG CHECKPOINT NUM_PROCESSES [test.py options]" >&2
    echo "  CHECKPOINT may be 'none' for a config that names its own weights" >&2
    exit 2
fi
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$3" "$1" "$2" "${@:4}"
