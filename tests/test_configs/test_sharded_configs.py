"""The FSDP and DeepSpeed configs of FG-CLIP ViT-L/14 and FG-CLIP 2 SO400M
pretraining (FlexibleRunner); their 2-process CPU training is in
tests/test_engine/test_sharded_training.py and test_deepspeed_training.py."""
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import STRATEGIES, DefaultScope, init_default_scope

from fgclip_det.engine import prepare_distributed
from fgclip_det.engine.strategies import select_shard_units
from fgclip_det.registry import MODELS
from fgclip_det.testing.http_server import free_port
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
#: Unsharded recipe -> its sharded variants.
RECIPES = ('fgclip/fgclip-stage2_vitl14-336px_8xb512-1e_finehard',
           'fgclip2/fgclip2-stage2_so400m_8xb512-6e_finehard')
SHARDED = [(kind, recipe) for recipe in RECIPES for kind in ('deepspeed', 'fsdp')]
HAS_DEEPSPEED = importlib.util.find_spec('deepspeed') is not None
NO_DEEPSPEED = ('deepspeed is not installed (bash tools/install.sh --tests '
                'installs it)')


def load(name: str) -> Config:
    return Config.fromfile(get_config_path(name))


@pytest.mark.parametrize('kind, recipe', SHARDED)
def test_sharded_configs_keep_the_recipe(kind, recipe, tmp_path):
    cfg, base = load(f'{recipe}_{kind}.py'), load(f'{recipe}.py')
    assert cfg.runner_type == 'FlexibleRunner'
    assert cfg.model == base.model
    assert cfg.train_dataloader == base.train_dataloader
    assert cfg.param_scheduler == base.param_scheduler
    assert cfg.optim_wrapper.optimizer == base.optim_wrapper.optimizer
    assert cfg.optim_wrapper.paramwise_cfg == base.optim_wrapper.paramwise_cfg
    if kind == 'fsdp':
        assert cfg.optim_wrapper.type == 'OptimWrapper'
        assert cfg.strategy.mixed_precision == dict(param_dtype='bfloat16',
                                                    reduce_dtype='float32')
        # FlexibleRunner builds the strategy before it sets the default scope
        with DefaultScope.overwrite_default_scope(None):
            strategy = STRATEGIES.build(dict(cfg.strategy,
                                             work_dir=str(tmp_path)))
        assert type(strategy).__name__ == 'FullyShardStrategy'
        assert strategy.mp_policy.param_dtype == torch.bfloat16
    else:
        assert cfg.optim_wrapper.type == 'DeepSpeedOptimWrapper'
        assert cfg.strategy.type == 'fgclip_det.DeepSpeedStrategy'
        assert cfg.strategy.zero_optimization.stage == 2
        assert cfg.strategy.bf16.enabled


def test_vitl14_fsdp_units_are_the_blocks_but_the_dense_one():
    cfg = load(f'{RECIPES[0]}_fsdp.py')
    init_default_scope('fgclip_det')
    with torch.device('meta'):
        model = MODELS.build(dict(cfg.model, clip=dict(cfg.model.clip,
                                                        pretrained=None)))
    units = select_shard_units(model, unit_types=cfg.strategy.unit_types,
                               keep_in_parent=cfg.strategy.keep_in_parent)
    image = [f'clip.clip.visual.transformer.resblocks.{i}' for i in range(23)]
    text = [f'clip.clip.transformer.resblocks.{i}' for i in range(12)]
    assert units == image + text  # block 23 feeds the dense value path


def test_fgclip2_fsdp_units_are_the_blocks_of_both_towers(tmp_path):
    from fgclip_det.models.clip.fgclip2 import FGCLIP2, load_fgclip2_hf
    from fgclip_det.testing.tiny_fgclip2 import write_tiny_fgclip2

    cfg = load(f'{RECIPES[1]}_fsdp.py')
    model, _ = load_fgclip2_hf(write_tiny_fgclip2(str(tmp_path / 'tiny')))
    assert isinstance(model, FGCLIP2)
    units = select_shard_units(model, unit_types=cfg.strategy.unit_types)
    blocks = [name for name, module in model.named_modules()
              if type(module).__name__ in ('Block', 'ResidualAttentionBlock')]
    assert units == blocks and len(blocks) >= 2
    assert not any(name.startswith('visual.dense_head') for name in units)


@pytest.mark.skipif(not HAS_DEEPSPEED, reason=NO_DEEPSPEED)
def test_deepspeed_strategy_hands_deepspeed_a_plain_config(tmp_path):
    cfg = load(f'{RECIPES[0]}_deepspeed.py')
    with DefaultScope.overwrite_default_scope(None):
        strategy = STRATEGIES.build(dict(cfg.strategy, work_dir=str(tmp_path)))
    assert type(strategy).__name__ == 'DeepSpeedStrategy'
    assert type(strategy).__module__.startswith('fgclip_det.')
    # stored in every checkpoint: no ConfigDict for weights_only loads
    assert type(strategy.config) is dict
    assert type(strategy.config['zero_optimization']) is dict
    assert strategy.config['zero_optimization']['stage'] == 2
    assert strategy.config['bf16'] == dict(enabled=True)


@pytest.mark.parametrize('missing, message', [
    ('deepspeed', 'strategy DeepSpeedStrategy needs deepspeed, which is not '
     r'installed: install deepspeed==0\.19\.6'),
    ('deepspeed.runtime.fp16.onebit', r"deepspeed 0\.19\.8 cannot run "
     "MMEngine's DeepSpeedStrategy: it imports deepspeed.runtime.fp16.onebit "
     r'.*which DeepSpeed 0\.19\.7 removed; install deepspeed==0\.19\.6'),
])
def test_deepspeed_configs_name_the_deepspeed_they_need(missing, message,
                                                        monkeypatch):
    """On any machine: the DeepSpeed that cannot run is named before the
    process group starts."""
    cfg = load(f'{RECIPES[0]}_deepspeed.py')
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: (
        None if name == missing else object() if name.startswith('deepspeed')
        else find_spec(name)))
    monkeypatch.setattr(importlib.metadata, 'version', lambda name: '0.19.8')
    with pytest.raises(ValueError, match=message):
        prepare_distributed(cfg, 'pytorch')


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU refusal')
def test_fsdp1_refuses_cpu_only_machines_and_names_fsdp2():
    cfg = Config(dict(runner_type='FlexibleRunner',
                      strategy=dict(type='FSDPStrategy')))
    with pytest.raises(ValueError, match="refuses CPU-only processes; FSDP2, "
                       "type='fgclip_det.FullyShardStrategy', runs on CPUs"):
        prepare_distributed(cfg, 'pytorch')


@pytest.mark.skipif(not HAS_DEEPSPEED, reason=NO_DEEPSPEED)
@pytest.mark.skipif(torch.cuda.device_count() < 2,
                    reason='NCCL takes one GPU a process (2 CPU processes: '
                    'tests/test_engine/test_deepspeed_training.py)')
def test_deepspeed_trains_the_tiny_model_on_two_gpus(tmp_path):
    from fgclip_det.datasets.synthetic import generate_synthetic_dataset

    root = tmp_path / 'synthetic'
    generate_synthetic_dataset(root, num_train=8, num_val=4, image_size=128,
                               seed=0, progress=False)
    deepspeed = load(f'{RECIPES[0]}_deepspeed.py')
    cfg = Config.fromfile(get_config_path(
        'quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'))
    cfg.merge_from_dict(dict(
        runner_type='FlexibleRunner', strategy=deepspeed.strategy,
        optim_wrapper=dict(_delete_=True, type='DeepSpeedOptimWrapper',
                           optimizer=cfg.optim_wrapper.optimizer),
        train_cfg=dict(max_epochs=1, val_interval=2), data_root=f'{root}/',
        train_dataloader=dict(batch_size=2, num_workers=0,
                              persistent_workers=False,
                              dataset=dict(data_root=f'{root}/'))))
    config = tmp_path / 'tiny_deepspeed.py'
    cfg.dump(config)
    port = free_port()
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir',
         str(tmp_path / 'work')], cwd=REPO, capture_output=True, text=True,
        env=dict(os.environ, PORT=str(port),
                 PATH=f'{Path(sys.executable).parent}:{os.environ["PATH"]}'))
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'work' / 'epoch_1.pth').exists()
