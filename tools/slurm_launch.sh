#!/usr/bin/env bash
# Shared launcher of slurm_train.sh / slurm_test.sh:
#   bash tools/slurm_launch.sh PARTITION JOB_NAME SCRIPT [script arguments]
# GPUS: processes in all (default 8); GPUS_PER_NODE (default 8; 0 for CPU
# nodes, then TASKS_PER_NODE processes a node, default GPUS); CPUS_PER_TASK
# (default 5); SRUN_ARGS: more srun options.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME SCRIPT [script arguments]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
TOOLS_DIR="$(dirname "$0")"
NUM_TASKS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
GRES=()
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    GRES=(--gres=gpu:"$GPUS_PER_NODE")
fi
TASKS_PER_NODE=${TASKS_PER_NODE:-$([ "$GPUS_PER_NODE" -gt 0 ] && echo "$GPUS_PER_NODE" || echo "$NUM_TASKS")}

# shellcheck disable=SC2086
PYTHONPATH="$TOOLS_DIR/..":${PYTHONPATH:-} \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    "${GRES[@]}" \
    --ntasks="$NUM_TASKS" \
    --ntasks-per-node="$TASKS_PER_NODE" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    python -u "$TOOLS_DIR/$SCRIPT" "${@:4}" --launcher=slurm
