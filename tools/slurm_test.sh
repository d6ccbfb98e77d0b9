#!/usr/bin/env bash
# Test with Slurm: bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]
# GPUS, GPUS_PER_NODE, TASKS_PER_NODE, CPUS_PER_TASK, SRUN_ARGS: see slurm_launch.sh.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options]" >&2
    exit 2
fi
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" test.py "$3" "$4" "${@:5}"
