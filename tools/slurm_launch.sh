#!/usr/bin/env bash
# Shared launcher of slurm_train.sh / slurm_test.sh:
#   bash tools/slurm_launch.sh PARTITION JOB_NAME SCRIPT [script arguments]
# GPUS (default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS set the allocation.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
TOOLS_DIR="$(dirname "$0")"
GPUS_PER_NODE=${GPUS_PER_NODE:-8}

# shellcheck disable=SC2086
PYTHONPATH="$TOOLS_DIR/..":${PYTHONPATH:-} \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="${GPUS:-8}" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    python -u "$TOOLS_DIR/$SCRIPT" "${@:4}" --launcher=slurm
