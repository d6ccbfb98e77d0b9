#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, to try tools/slurm_train.sh and
# tools/slurm_test.sh without a cluster (and for their test,
# tests/test_engine/test_slurm_launch.py):
#
#   eval "$(bash tools/misc/local_slurm.sh)"    # prints export SLURM_CONF=...
#   GPUS=2 GPUS_PER_NODE=0 CPUS_PER_TASK=1 bash tools/slurm_train.sh \
#       local JOB CONFIG WORK_DIR
#
# Installs Debian's slurm-wlm and munge when srun is missing (root only),
# writes slurm.conf into $SLURM_DIR (default /tmp/fgclip_det_slurm; never
# /etc/slurm), starts munged, slurmctld and slurmd as the current user, and
# waits until partition "local" (this host, all its CPUs) is up. A second
# run reuses the daemons it finds. Stop them with:
#   bash tools/misc/local_slurm.sh --stop
set -euo pipefail

SLURM_DIR=${SLURM_DIR:-/tmp/fgclip_det_slurm}
CONF="$SLURM_DIR/slurm.conf"
say() { echo "[local_slurm] $*" >&2; }
die() { echo "[local_slurm] ERROR: $*" >&2; exit 1; }

if [[ "${1:-}" == "--stop" ]]; then
    for pid_file in "$SLURM_DIR"/slurmd.pid "$SLURM_DIR"/slurmctld.pid "$SLURM_DIR"/munged.pid; do
        [[ -f "$pid_file" ]] && kill "$(cat "$pid_file")" 2>/dev/null || true
    done
    say "stopped the daemons of $CONF"
    exit 0
elif [[ $# -gt 0 ]]; then
    die "unknown argument '$1' (expected --stop or nothing)"
fi

if ! command -v srun > /dev/null || ! command -v munged > /dev/null; then
    [[ $(id -u) -eq 0 ]] || die "srun / munged are missing and installing them needs root (apt-get install slurm-wlm munge)"
    command -v apt-get > /dev/null || die "srun / munged are missing and there is no apt-get to install slurm-wlm and munge"
    say "installing slurm-wlm and munge (Debian packages)"
    { apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          slurm-wlm munge; } > "$SLURM_DIR.apt.log" 2>&1 ||
        die "apt-get install slurm-wlm munge failed (log: $SLURM_DIR.apt.log)"
fi

mkdir -p "$SLURM_DIR/spool" "$SLURM_DIR/state" "$SLURM_DIR/munge"
USER_NAME=$(id -un)
# The node line as slurmd reads this machine (CPUs, sockets, memory).
NODE_LINE=$(slurmd -C | head -n 1)
HOST=$(hostname -s)
cat > "$CONF" <<EOF
# Written by tools/misc/local_slurm.sh: one node, partition "local".
ClusterName=fgclip_det_local
SlurmctldHost=$HOST
SlurmUser=$USER_NAME
SlurmdUser=$USER_NAME
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmdSpoolDir=$SLURM_DIR/spool
StateSaveLocation=$SLURM_DIR/state
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
$NODE_LINE State=UNKNOWN
PartitionName=local Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$CONF"

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if ! running "$SLURM_DIR/munged.pid"; then
    [[ -f "$SLURM_DIR/munge/munge.key" ]] ||
        dd if=/dev/urandom of="$SLURM_DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 700 "$SLURM_DIR/munge"
    chmod 400 "$SLURM_DIR/munge/munge.key"
    munged --force --key-file="$SLURM_DIR/munge/munge.key" \
        --socket="$SLURM_DIR/munge/munge.socket" \
        --pid-file="$SLURM_DIR/munged.pid" --log-file="$SLURM_DIR/munged.log" \
        --seed-file="$SLURM_DIR/munge/munged.seed" ||
        die "munged did not start (log: $SLURM_DIR/munged.log)"
fi
running "$SLURM_DIR/slurmctld.pid" || slurmctld -f "$CONF" ||
    die "slurmctld did not start (log: $SLURM_DIR/slurmctld.log)"
running "$SLURM_DIR/slurmd.pid" || slurmd -f "$CONF" ||
    die "slurmd did not start (log: $SLURM_DIR/slurmd.log)"

for _ in $(seq 60); do
    if [[ "$(sinfo -h -p local -o %t 2>/dev/null)" == idle* ]]; then
        say "partition 'local' is up on $HOST ($CONF)"
        echo "export SLURM_CONF=$CONF"
        exit 0
    fi
    sleep 1
done
die "partition 'local' did not come up in 60 s (logs: $SLURM_DIR/slurmctld.log, slurmd.log)"
