"""Importing fgclip_det names DeepSpeed's CPU accelerator where there is no
CUDA (DeepSpeed prints a banner on stdout otherwise), keeping a user's value."""
import os
import subprocess
import sys

import pytest
import torch

SHOW = 'import os, fgclip_det; print(os.environ.get("DS_ACCELERATOR"))'


def run(env: dict) -> str:
    return subprocess.run([sys.executable, '-c', SHOW], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks a CPU-only machine')
def test_cpu_machines_get_the_cpu_accelerator():
    env = {k: v for k, v in os.environ.items() if k != 'DS_ACCELERATOR'}
    assert run(env) == 'cpu'


def test_a_set_accelerator_is_kept():
    assert run(dict(os.environ, DS_ACCELERATOR='cuda')) == 'cuda'
