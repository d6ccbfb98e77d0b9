"""tools/train.py trains, saves safe checkpoints, resumes; tools/test.py evaluates."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = 'quickstart/faster-rcnn_r18-tiny_fpn_1xb8-12e_synthetic.py'

# 4 train images at batch 2: one epoch = 2 iterations.
TINY_OVERRIDES = '''
_base_ = ['{base}']
data_root = '{data_root}/'
image_size = (128, 128)
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root,
                 pipeline=[
                     dict(type='LoadImageFromFile'),
                     dict(type='LoadAnnotations', with_bbox=True),
                     dict(type='Resize', scale=image_size, keep_ratio=True),
                     dict(type='PackDetInputs')]))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs={max_epochs}, val_interval=100)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
'''


def _write_config(tmp_path: Path, data_root: Path, max_epochs: int) -> Path:
    path = tmp_path / f'tiny_{max_epochs}e.py'
    path.write_text(
        TINY_OVERRIDES.format(
            base=get_config_path(QUICKSTART),
            data_root=data_root,
            max_epochs=max_epochs))
    return path


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(
        root, num_train=4, num_val=2, image_size=128, seed=0)
    return root


@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_help(tool):
    proc = _run(str(REPO / 'tools' / tool), '--help', cwd=REPO)
    for flag in ('--work-dir', '--cfg-options', '--launcher'):
        assert flag in proc.stdout
    if tool == 'train.py':
        assert '--resume' in proc.stdout and '--amp' in proc.stdout
    else:
        assert '--show-dir' in proc.stdout


@pytest.mark.slow
def test_train_resume_then_test(tmp_path, synthetic_root):
    work_dir = tmp_path / 'work'
    train = str(REPO / 'tools' / 'train.py')

    _run(train, str(_write_config(tmp_path, synthetic_root, 1)),
         '--work-dir', str(work_dir), cwd=tmp_path)
    first = work_dir / 'epoch_1.pth'
    # Saved by tools/train.py, loadable under torch's safe default.
    checkpoint = torch.load(first, weights_only=True)
    assert checkpoint['meta']['iter'] == 2
    assert 'train/loss' in checkpoint['message_hub']['log_scalars']

    proc = _run(train, str(_write_config(tmp_path, synthetic_root, 2)),
                '--work-dir', str(work_dir), '--resume', cwd=tmp_path)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 1, iter: 2' in log
    resumed = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert resumed['meta']['iter'] == 4 and resumed['meta']['epoch'] == 2
    # The loss history continues across the resume: 2 + 2 iterations.
    history = resumed['message_hub']['log_scalars']['train/loss']
    assert len(next(iter(history.values()))['log_history']) == 4

    test_dir = tmp_path / 'test'
    _run(str(REPO / 'tools' / 'test.py'),
         str(_write_config(tmp_path, synthetic_root, 2)),
         str(work_dir / 'epoch_2.pth'), '--work-dir', str(test_dir),
         '--show-dir', 'vis', cwd=tmp_path)
    metric_files = list(test_dir.glob('*/*.json'))
    assert metric_files, list(test_dir.rglob('*'))
    metrics = json.loads(metric_files[0].read_text())
    assert 'coco/bbox_mAP_50' in metrics
    assert len(list(test_dir.glob('*/vis/*.png'))) + len(
        list(test_dir.glob('*/vis/*.jpg'))) == 2
