"""The code base passes the configured ruff rules (ruff.toml)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(
    shutil.which('ruff') is None and not (Path(sys.executable).parent /
                                          'ruff').exists(),
    reason='ruff is installed with the test requirements')
def test_ruff_check_passes():
    ruff = shutil.which('ruff') or str(Path(sys.executable).parent / 'ruff')
    proc = subprocess.run(
        [ruff, 'check', 'fgclip_det', 'tools', 'tests', 'configs', 'setup.py'],
        cwd=REPO,
        capture_output=True,
        text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
