"""tools/train.py trains, saves safe checkpoints, resumes; tools/test.py evaluates."""
import json
from pathlib import Path

import pytest
import torch

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.testing.tool_runs import (
    REPO_ROOT,
    load_safe_checkpoint,
    logged_iterations,
    run_tool,
)
from fgclip_det.utils import get_config_path

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


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(
        root, num_train=4, num_val=2, image_size=128, seed=0)
    return root


@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_help(tool):
    proc = run_tool(tool, '--help', cwd=REPO_ROOT)
    for flag in ('--work-dir', '--cfg-options', '--launcher'):
        assert flag in proc.stdout
    if tool == 'train.py':
        assert '--resume' in proc.stdout and '--amp' in proc.stdout
    else:
        assert '--show-dir' in proc.stdout


@pytest.mark.slow
def test_train_resume_then_test(tmp_path, synthetic_root):
    work_dir = tmp_path / 'work'

    run_tool('train.py', _write_config(tmp_path, synthetic_root, 1),
             '--work-dir', work_dir, cwd=tmp_path)
    # Saved by tools/train.py, loadable under torch's safe default.
    checkpoint = load_safe_checkpoint(work_dir / 'epoch_1.pth')
    assert checkpoint['meta']['iter'] == 2
    assert 'train/loss' in checkpoint['message_hub']['log_scalars']

    proc = run_tool('train.py', _write_config(tmp_path, synthetic_root, 2),
                    '--work-dir', work_dir, '--resume', cwd=tmp_path)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 1, iter: 2' in log
    resumed = load_safe_checkpoint(work_dir / 'epoch_2.pth')
    assert resumed['meta']['iter'] == 4 and resumed['meta']['epoch'] == 2
    # The loss history continues across the resume: 2 + 2 iterations.
    assert logged_iterations(resumed) == 4

    test_dir = tmp_path / 'test'
    run_tool('test.py', _write_config(tmp_path, synthetic_root, 2),
             work_dir / 'epoch_2.pth', '--work-dir', test_dir,
             '--show-dir', 'vis', cwd=tmp_path)
    metric_files = list(test_dir.glob('*/*.json'))
    assert metric_files, list(test_dir.rglob('*'))
    metrics = json.loads(metric_files[0].read_text())
    assert 'coco/bbox_mAP_50' in metrics
    assert len(list(test_dir.glob('*/vis/*.png'))) + len(
        list(test_dir.glob('*/vis/*.jpg'))) == 2


def test_test_tool_refuses_wrong_weights(tmp_path, synthetic_root):
    import torchvision

    wrong = tmp_path / 'resnet18.pth'
    torch.save(torchvision.models.resnet18().state_dict(), wrong)
    proc = run_tool('test.py', _write_config(tmp_path, synthetic_root, 1), wrong,
                    '--work-dir', tmp_path / 'test', cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert 'does not fit' in proc.stderr and 'load_strict=False' in proc.stderr
    assert 'weights of the model\'s "backbone." part only' in proc.stderr
    assert not list((tmp_path / 'test').glob('*/*.json'))  # no metrics written


def test_resume_without_a_checkpoint_refuses(tmp_path, synthetic_root):
    proc = run_tool('train.py', _write_config(tmp_path, synthetic_root, 1),
                    '--work-dir', tmp_path / 'empty', '--resume', cwd=tmp_path,
                    check=False)
    assert proc.returncode != 0
    assert 'no complete checkpoint to resume from' in proc.stderr


def test_checkpoint_hook_typo_fails_before_training(tmp_path, synthetic_root):
    proc = run_tool('train.py', _write_config(tmp_path, synthetic_root, 1),
                    '--work-dir', tmp_path / 'typo', '--cfg-options',
                    'default_hooks.checkpoint.intervl=1', cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert "did you mean 'interval'" in proc.stderr
    assert 'Epoch(train)' not in proc.stdout + proc.stderr
