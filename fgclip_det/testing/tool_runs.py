"""Run the repository's tools in a subprocess and read what they saved.

Shared by the tests that train, resume and test through ``tools/train.py``
and ``tools/test.py`` (the detector's and the pretrainer's).
"""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Union

import torch

#: Root of the source tree (``tools/`` lives there).
REPO_ROOT = Path(__file__).resolve().parents[2]


def run_tool(tool: str, *args: Union[str, Path], cwd: Union[str, Path],
             timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``tools/<tool>`` with this interpreter (and check it succeeds).

    Args:
        tool (str): Script under ``tools/``, e.g. ``'train.py'``.
        *args (str | Path): Its command-line arguments.
        cwd (str | Path): Working directory.
        timeout (float): Seconds before the run is killed. Defaults to 600.
        check (bool): Assert a zero exit code. Defaults to True.

    Returns:
        subprocess.CompletedProcess: The finished run, ``stdout`` and
        ``stderr`` captured as text.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / 'tools' / tool), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def import_tool(tool: str) -> ModuleType:
    """Import ``tools/<tool>`` (e.g. ``'demo.py'``) as a module, to call its
    ``parse_args`` or ``main`` in this process."""
    path = REPO_ROOT / 'tools' / tool
    spec = importlib.util.spec_from_file_location(
        f'tools_{path.stem}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_safe_checkpoint(path: Union[str, Path]) -> dict:
    """Load a checkpoint under torch's safe ``weights_only=True``."""
    return torch.load(path, map_location='cpu', weights_only=True)


def logged_iterations(checkpoint: dict, key: str = 'train/loss') -> int:
    """Iterations whose ``key`` the checkpoint's message hub remembers."""
    history = checkpoint['message_hub']['log_scalars'][key]
    return len(next(iter(history.values()))['log_history'])
