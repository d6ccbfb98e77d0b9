#!/usr/bin/env bash
# Shared launcher of dist_train.sh / dist_test.sh (GPU or CPU processes):
#   bash tools/dist_launch.sh SCRIPT GPUS [script arguments]
# NNODES, NODE_RANK, MASTER_ADDR and PORT configure multi-node runs.
set -euo pipefail
SCRIPT=$1
GPUS=$2
TOOLS_DIR="$(dirname "$0")"

# exec: the launcher keeps this script's PID, so killing that PID stops it
PYTHONPATH="$TOOLS_DIR/..":${PYTHONPATH:-} \
exec python -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" \
    --master_port="${PORT:-29500}" \
    "$TOOLS_DIR/$SCRIPT" "${@:3}" --launcher pytorch
