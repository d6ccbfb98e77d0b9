#!/usr/bin/env bash
# Train with N processes (one per GPU, or CPU processes where there is none):
#   bash tools/dist_train.sh CONFIG N [train.py options]
# Multi-node: NNODES=2 NODE_RANK=0 MASTER_ADDR=host PORT=29500 bash tools/dist_train.sh ...
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: bash $0 CONFIG NUM_PROCESSES [train.py options]" >&2
    echo "  e.g. bash $0 configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py 8" >&2
    exit 2
fi
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
