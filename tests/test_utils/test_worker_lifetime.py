"""Forked DataLoader workers die with a parent killed by SIGKILL."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fgclip_det.utils.worker_lifetime import exit_with_parent

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith('linux'),
                                reason='PR_SET_PDEATHSIG is Linux only')

#: A run whose persistent workers fill their result pipe with numpy arrays
#: (pickled inline): on its own such a worker outlives a killed parent,
#: stuck joining its queue's feeder thread.
PARENT = '''
import multiprocessing as mp, sys, time
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from fgclip_det.utils.worker_lifetime import bind_forked_children_to_parent

class Arrays(Dataset):
    def __len__(self):
        return 10 ** 6

    def __getitem__(self, index):
        return np.zeros(200_000, np.uint8)

if __name__ == '__main__':
    mp.set_start_method('fork', force=True)
    bind_forked_children_to_parent()
    loader = DataLoader(Arrays(), batch_size=2, num_workers=2,
                        persistent_workers=True, collate_fn=list)
    batches = iter(loader)
    for _ in range(3):
        next(batches)
    print(*[child.pid for child in mp.active_children()], flush=True)
    time.sleep(600)
'''


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


def test_workers_die_with_a_killed_parent():
    parent = subprocess.Popen([sys.executable, '-c', PARENT],
                              stdout=subprocess.PIPE, text=True)
    workers = []
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2, 'the parent did not start its workers'
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        parent.kill()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_exit_with_parent_sets_the_parent_death_signal():
    child = os.fork()
    if child == 0:  # report the signal the kernel now holds for the child
        import ctypes

        exit_with_parent(signal.SIGTERM)
        value = ctypes.c_int()
        ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)  # GET
        os._exit(value.value)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == signal.SIGTERM


def test_dist_launch_replaces_itself_with_the_launcher(tmp_path):
    """Killing the PID of ``tools/dist_train.sh`` then stops torchrun itself
    (the ranks it starts run in their own session)."""
    fake = tmp_path / 'python'
    fake.write_text('#!/bin/sh\necho "$$ $*"\n')
    fake.chmod(0o755)
    proc = subprocess.Popen(
        ['bash', str(REPO / 'tools' / 'dist_launch.sh'), 'train.py', '2',
         'cfg.py'],
        env=dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}'),
        stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    pid, args = out.split(' ', 1)
    assert args.startswith('-m torch.distributed.run ')
    assert '--nproc_per_node=2' in args
    assert args.rstrip().endswith('cfg.py --launcher pytorch')
    # the launcher ran as the script's own process, not as a child of it
    assert int(pid) == proc.pid
