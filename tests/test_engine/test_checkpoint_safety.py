"""Checkpoints are written atomically, resumed from the newest complete one,
and loaded strictly."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

import fgclip_det  # noqa: F401  (registers the safe checkpoint loaders)
from fgclip_det.engine import (
    AtomicCheckpointHook,
    CheckpointSafeRunner,
    find_resumable_checkpoint,
    is_complete_checkpoint,
)
from fgclip_det.engine.loops import skip_batches
from fgclip_det.registry import RUNNERS
from fgclip_det.testing.toy_training import ToyDataset, toy_runner_cfg
from fgclip_det.utils import get_config_path
from fgclip_det.utils.state_dict_check import CheckpointMismatchError


def _train(work_dir: Path, **overrides) -> CheckpointSafeRunner:
    runner = CheckpointSafeRunner(**toy_runner_cfg(str(work_dir), **overrides))
    runner.train()
    return runner


def _last_checkpoint(work_dir: Path) -> str:
    return (work_dir / 'last_checkpoint').read_text().strip()


def test_every_config_uses_the_safe_runner_and_hook():
    cfg = Config.fromfile(get_config_path('_base_/default_runtime.py'))
    assert RUNNERS.get(cfg.runner_type) is CheckpointSafeRunner
    assert cfg.default_hooks.checkpoint.type == 'AtomicCheckpointHook'
    assert cfg.load_strict is True


def test_max_keep_one_keeps_only_the_newest_and_points_at_it(tmp_path):
    _train(tmp_path, max_epochs=3)
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_3.pth']
    assert _last_checkpoint(tmp_path) == str(tmp_path / 'epoch_3.pth')
    assert not list(tmp_path.glob('*.tmp'))


KILL_AT_SECOND_RENAME = textwrap.dedent('''
    import os, sys
    from fgclip_det.engine import CheckpointSafeRunner
    from fgclip_det.testing.toy_training import toy_runner_cfg
    real_replace = os.replace
    def replace(src, dst):
        if src.endswith('epoch_2.pth.tmp'):
            os._exit(9)  # killed after writing, before the rename
        real_replace(src, dst)
    os.replace = replace
    CheckpointSafeRunner(**toy_runner_cfg(sys.argv[1], max_epochs=3)).train()
''')


def test_kill_between_write_and_rename_leaves_a_resumable_run(tmp_path):
    result = subprocess.run([sys.executable, '-c', KILL_AT_SECOND_RENAME,
                             str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 9, result.stderr[-2000:]
    # The old checkpoint still exists and is what last_checkpoint names.
    assert (tmp_path / 'epoch_1.pth').is_file()
    assert (tmp_path / 'epoch_2.pth.tmp').is_file()
    assert _last_checkpoint(tmp_path) == str(tmp_path / 'epoch_1.pth')

    runner = _train(tmp_path, max_epochs=3, resume=True)
    assert runner.epoch == 3
    assert not list(tmp_path.glob('*.tmp'))  # the half-written file is gone
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_3.pth']


def test_resume_falls_back_past_a_deleted_or_truncated_checkpoint(tmp_path):
    _train(tmp_path, max_epochs=3, default_hooks=dict(
        checkpoint=dict(type='AtomicCheckpointHook', interval=1)))
    newest = tmp_path / 'epoch_3.pth'
    newest.write_bytes(newest.read_bytes()[:1000])  # truncated
    assert not is_complete_checkpoint(str(newest))
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    newest.unlink()
    (tmp_path / 'epoch_2.pth').unlink()  # last_checkpoint names a deleted file
    assert find_resumable_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_1.pth')

    runner = _train(tmp_path, max_epochs=3, resume=True)
    assert runner.epoch == 3


def test_resume_from_nothing_is_an_error(tmp_path):
    runner = CheckpointSafeRunner(**toy_runner_cfg(str(tmp_path), resume=True))
    with pytest.raises(FileNotFoundError, match='no complete checkpoint'):
        runner.train()


def test_iteration_checkpoint_resumes_mid_epoch_with_the_remaining_batches(tmp_path):
    # One epoch of 6 batches; a checkpoint every 2 iterations.
    hooks = dict(checkpoint=dict(type='AtomicCheckpointHook', by_epoch=False,
                                 interval=2))
    full = _train(tmp_path / 'full', max_epochs=1, default_hooks=hooks)
    resumed = CheckpointSafeRunner(**toy_runner_cfg(
        str(tmp_path / 'resumed'), max_epochs=1, default_hooks=hooks,
        load_from=str(tmp_path / 'full' / 'iter_4.pth'), resume=True))
    resumed.train()
    assert len(full.model.seen) == 12
    assert resumed.model.seen == full.model.seen[8:]
    assert resumed.iter == full.iter == 6


def test_skip_batches_draws_the_same_tail_without_loading_the_head():
    loader = torch.utils.data.DataLoader(ToyDataset(10), batch_size=3)
    tail = [batch['index'].tolist() for batch in skip_batches(loader, 2)]
    assert tail == [[6, 7, 8], [9]]


def test_unknown_checkpoint_hook_argument_fails_when_the_hook_is_built():
    with pytest.raises(TypeError, match="'intervl' \\(did you mean 'interval'"):
        AtomicCheckpointHook(intervl=1)


def _runner_with_checkpoint(tmp_path, state_dict, **cfg):
    ckpt = tmp_path / 'weights.pth'
    torch.save({'state_dict': state_dict, 'meta': {}}, ckpt)
    kwargs = toy_runner_cfg(str(tmp_path / 'work'))
    return CheckpointSafeRunner(**kwargs, cfg=cfg), str(ckpt)


def _good_state(runner) -> dict:
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_wrong_architecture_checkpoint_is_an_error_naming_keys_and_prefix(tmp_path):
    runner, _ = _runner_with_checkpoint(tmp_path, {})
    state = {f'backbone.{k}': v for k, v in _good_state(runner).items()}
    state['fc.weight'] = torch.zeros(10, 512)
    runner, path = _runner_with_checkpoint(tmp_path, state)
    with pytest.raises(CheckpointMismatchError) as error:
        runner.load_checkpoint(path)
    message = str(error.value)
    assert 'linear.weight' in message and 'fc.weight' in message
    assert 'prefix "backbone."' in message
    assert 'load_strict=False' in message
    assert '\\n' not in message  # printed as lines, not an escaped repr


def test_mis_shaped_and_wrongly_typed_tensors_are_errors(tmp_path):
    runner, _ = _runner_with_checkpoint(tmp_path, {})
    shaped = dict(_good_state(runner), **{'linear.weight': torch.zeros(1, 3)})
    runner, path = _runner_with_checkpoint(tmp_path, shaped)
    with pytest.raises(CheckpointMismatchError, match=r'linear.weight: \(1, 3\)'):
        runner.load_checkpoint(path)
    typed = dict(_good_state(runner),
                 **{'linear.bias': torch.ones(1, dtype=torch.int64)})
    runner, path = _runner_with_checkpoint(tmp_path, typed)
    with pytest.raises(CheckpointMismatchError, match='linear.bias.*torch.int64'):
        runner.load_checkpoint(path)


def test_fp16_weights_load_into_an_fp32_model(tmp_path):
    runner, _ = _runner_with_checkpoint(tmp_path, {})
    state = {k: torch.full_like(v, 0.5).half() for k, v in _good_state(runner).items()}
    runner, path = _runner_with_checkpoint(tmp_path, state)
    runner.load_checkpoint(path)
    assert torch.all(runner.model.linear.weight == 0.5)


def test_partial_load_is_an_explicit_opt_out(tmp_path):
    runner, _ = _runner_with_checkpoint(tmp_path, {})
    state = {'linear.weight': torch.full((1, 2), 3.0)}
    runner, path = _runner_with_checkpoint(tmp_path, state, load_strict=False)
    runner.load_checkpoint(path)
    assert torch.all(runner.model.linear.weight == 3.0)


def test_code_in_a_local_checkpoint_is_refused(tmp_path):
    marker = tmp_path / 'ran'

    class Payload:
        def __reduce__(self):
            return (os.system, (f'touch {marker}',))

    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': Payload()}, path)
    runner, _ = _runner_with_checkpoint(tmp_path, {})
    with pytest.raises(Exception, match='Weights only load failed'):
        runner.load_checkpoint(str(path))
    assert not marker.exists()
