"""FSDP2 training (``FullyShardStrategy``) on 2 CPU processes (gloo).

The quickstart FG-CLIP trains through ``FlexibleRunner`` with the shipped
launcher on a tiny synthetic set; the same run with plain DDP is the
reference, and checkpoints go from the sharded run to a plain one and back.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch.testing import assert_close

from fgclip_det.engine.strategies import mixed_precision_policy, select_shard_units
from fgclip_det.engine.strategies.optim_state_keys import (
    indices_to_names,
    names_to_indices,
    parameter_names,
)
from fgclip_det.registry import MODELS
from fgclip_det.testing.http_server import free_port
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
FGCLIP_CONFIG = 'configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
#: The strategy of the ViT-L FSDP leaf config, in fp32 (bf16 matrix products
#: are slow on CPUs; the policy is checked apart).
FULLY_SHARD = dict(
    type='fgclip_det.FullyShardStrategy',
    unit_types=('ResidualAttentionBlock',),
    keep_in_parent=('clip.clip.visual.transformer.resblocks.-1',))
#: The tiny CLIP's blocks (4 image, 2 text) less the last image block.
TINY_UNITS = [f'clip.clip.visual.transformer.resblocks.{i}' for i in range(3)] + [
    f'clip.clip.transformer.resblocks.{i}' for i in range(2)]


@pytest.fixture(scope='module')
def tiny_model():
    cfg = Config.fromfile(get_config_path(FGCLIP_CONFIG[len('configs/'):]))
    init_default_scope(cfg.default_scope)
    return MODELS.build(cfg.model)


def options(root: Path, epochs: int) -> list:
    values = [f'data_root={root}/', 'default_hooks.logger.interval=1',
              'log_processor.window_size=1', f'train_cfg.max_epochs={epochs}',
              f'train_cfg.val_interval={epochs + 1}']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        values += [f'{loader}.dataset.data_root={root}/',
                   f'{loader}.batch_size=2', f'{loader}.num_workers=0',
                   f'{loader}.persistent_workers=False']
    return values


def train(config, work_dir: Path, *args: str, processes: int = 2) -> str:
    """``tools/dist_train.sh`` (or ``tools/train.py`` alone); its stdout."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(free_port()),
               PATH=f'{Path(sys.executable).parent}:{os.environ["PATH"]}')
    tail = [str(config), '--work-dir', str(work_dir), *args]
    command = (['bash', 'tools/dist_train.sh', tail[0], str(processes), *tail[1:]]
               if processes > 1 else [sys.executable, 'tools/train.py', *tail])
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def losses(work_dir: Path) -> dict:
    """``{iter: loss}`` of the logged training iterations of the newest run."""
    log = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return {r['iter']: r['loss'] for r in records if 'loss' in r}


def load(path: Path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=True)


def split_key_biases(state: dict) -> tuple:
    """``(state less the key bias entries, {name: key bias})``.

    The key third of an attention's ``in_proj_bias`` has no gradient in exact
    arithmetic (the softmax ignores a shift common to all keys), so AdamW
    scales the rounding noise it does get to steps of up to the lr: two runs
    that sum their gradients in a different order agree there only to
    lr x iterations.
    """
    rest, key_biases = dict(state), {}
    for name, tensor in state.items():
        if name.endswith('attn.in_proj_bias'):
            query, key, value = tensor.chunk(3)
            rest[name] = torch.cat([query, value])
            key_biases[name] = key
    return rest, key_biases


def assert_same_weights(ours: dict, theirs: dict, iterations: int) -> None:
    """The same weights in the same order, the key biases to lr x steps."""
    assert list(ours) == list(theirs)
    (ours, our_keys), (theirs, their_keys) = map(split_key_biases, (ours, theirs))
    assert our_keys  # both towers' attentions
    assert_close(ours, theirs, rtol=1e-5, atol=1e-7)
    lr = Config.fromfile(REPO / FGCLIP_CONFIG).optim_wrapper.optimizer.lr
    assert_close(our_keys, their_keys, rtol=0, atol=lr * iterations)


def assert_same_training_state(sharded: dict, plain: dict) -> None:
    """Weights and optimiser state alike, in the same layout."""
    assert_same_weights(sharded['state_dict'], plain['state_dict'],
                        plain['meta']['iter'])
    ours, theirs = sharded['optimizer'], plain['optimizer']
    assert ours.keys() == theirs.keys()  # base_param_settings kept
    assert ours['param_groups'] == theirs['param_groups']  # ids, lr, decay
    assert_close(ours['state'], theirs['state'], rtol=1e-5, atol=1e-9)
    assert sharded['param_schedulers'] == plain['param_schedulers']
    assert sharded['meta']['iter'] == plain['meta']['iter']


def test_fully_shard_trains_as_ddp_and_checkpoints_go_both_ways(tmp_path,
                                                                data_root):
    base = Config.fromfile(REPO / FGCLIP_CONFIG)
    sharded = Config(dict(_base_=[str(REPO / FGCLIP_CONFIG)],
                          runner_type='FlexibleRunner', strategy=FULLY_SHARD))
    config = tmp_path / 'tiny_fully_shard.py'
    sharded.dump(config)
    assert base.optim_wrapper.clip_grad  # clipping covers the sharded grads
    fsdp, ddp = tmp_path / 'fsdp', tmp_path / 'ddp'
    log = train(config, fsdp, '--cfg-options', *options(data_root, 1))
    assert ('CPU distributed run: 2 processes, gloo backend, '
            'FullyShardStrategy') in log
    assert 'FSDP2 over 2 cpu processes: 5 units' in log
    train(REPO / FGCLIP_CONFIG, ddp, '--cfg-options', *options(data_root, 1))
    # steps 1 and 2: the same losses, so the sharded step 1 updated alike
    assert list(losses(fsdp)) == [1, 2]
    assert losses(fsdp) == pytest.approx(losses(ddp), rel=1e-5)
    checkpoint = fsdp / 'epoch_1.pth'
    assert (fsdp / 'last_checkpoint').read_text() == str(checkpoint)
    assert not list(fsdp.glob('*.tmp'))
    assert_same_training_state(load(checkpoint), load(ddp / 'epoch_1.pth'))

    # the sharded checkpoint resumes in one plain process (strict load) ...
    alone = tmp_path / 'alone'
    train(REPO / FGCLIP_CONFIG, alone, '--resume', str(checkpoint),
          '--cfg-options', *options(data_root, 2), processes=1)
    assert max(losses(alone)) == 2 + 4
    # ... and that one-process checkpoint in the sharded run, as in DDP
    plain = alone / 'epoch_2.pth'
    for work_dir, cfg in ((fsdp, config), (ddp, REPO / FGCLIP_CONFIG)):
        train(cfg, work_dir, '--resume', str(plain), '--cfg-options',
              *options(data_root, 3))
    assert list(losses(fsdp)) == [7, 8]
    assert losses(fsdp) == pytest.approx(losses(ddp), rel=1e-5)
    assert_same_training_state(load(fsdp / 'epoch_3.pth'),
                               load(ddp / 'epoch_3.pth'))


def test_shard_units_follow_types_sizes_and_exclusions(tiny_model):
    assert select_shard_units(
        tiny_model, unit_types=FULLY_SHARD['unit_types'],
        keep_in_parent=FULLY_SHARD['keep_in_parent']) == TINY_UNITS
    # by size: the 3.2M-parameter token embedding alone, or nothing at all
    assert select_shard_units(tiny_model, min_unit_params=3_000_000) == [
        'clip.clip.token_embedding']
    assert select_shard_units(tiny_model, min_unit_params=10**8) == []
    with pytest.raises(ValueError, match=r"unit_types \['ResidualBlock'\] match "
                       'no module of FGCLIPPretrainer'):
        select_shard_units(tiny_model, unit_types=('ResidualBlock',))
    with pytest.raises(ValueError, match='index 9 is out of range'):
        select_shard_units(tiny_model, keep_in_parent=(
            'clip.clip.transformer.resblocks.9',))
    with pytest.raises(ValueError, match="has no child 'visul'"):
        select_shard_units(tiny_model, keep_in_parent=('clip.clip.visul',))


def test_optimizer_state_keys_round_trip(tiny_model):
    params = [p for p in tiny_model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([dict(params=params[:2]),
                                   dict(params=params[2:], weight_decay=0)])
    for param in params:
        param.grad = torch.ones_like(param)
    optimizer.step()
    numbered = optimizer.state_dict()
    names = parameter_names(tiny_model, optimizer)
    named = indices_to_names(numbered, names)
    assert named['param_groups'][0]['params'] == names[:2]
    assert names_to_indices(named) == numbered
    with pytest.raises(ValueError, match='holds 2 parameters in 1 groups'):
        indices_to_names(dict(state={}, param_groups=[dict(params=[0, 1])]), names)


def test_mixed_precision_policy_from_config():
    policy = mixed_precision_policy(dict(param_dtype='bfloat16',
                                         reduce_dtype='float32'))
    assert (policy.param_dtype, policy.reduce_dtype) == (torch.bfloat16,
                                                         torch.float32)
    assert mixed_precision_policy(None).param_dtype is None
    with pytest.raises(ValueError, match="param_dtype must name a float dtype"):
        mixed_precision_policy(dict(param_dtype='int8'))
    with pytest.raises(ValueError, match=r"unknown fields \['param_type'\]"):
        mixed_precision_policy(dict(param_type='bfloat16'))


def test_a_checkpoint_that_does_not_fit_is_an_error(tiny_model, tmp_path):
    from fgclip_det.engine.strategies import FullyShardStrategy
    from fgclip_det.utils.state_dict_check import CheckpointMismatchError

    strategy = FullyShardStrategy(work_dir=str(tmp_path))
    strategy.model = tiny_model  # checked before anything is sharded
    state = tiny_model.state_dict()
    state['clip.clip.visual.proj'] = state['clip.clip.visual.proj'][:, :8]
    del state['clip.clip.ln_final.bias']
    with pytest.raises(CheckpointMismatchError,
                       match='(?s)ln_final.bias.*visual.proj'):
        strategy.load_model_state_dict(state)
