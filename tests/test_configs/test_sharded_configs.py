"""The FSDP and DeepSpeed configs of FG-CLIP ViT-L/14 and FG-CLIP 2 SO400M
pretraining (FlexibleRunner)."""
import os
import subprocess
import sys
from pathlib import Path

import mmengine._strategy  # noqa: F401  (registers the strategies)
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import STRATEGIES

from fgclip_det.engine import prepare_distributed
from fgclip_det.testing.http_server import free_port
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
#: Unsharded recipe -> its sharded variants.
RECIPES = ('fgclip/fgclip-stage2_vitl14-336px_8xb512-1e_finehard',
           'fgclip2/fgclip2-stage2_so400m_8xb512-6e_finehard')
SHARDED = [(kind, recipe) for recipe in RECIPES for kind in ('deepspeed', 'fsdp')]


def load(name: str) -> Config:
    return Config.fromfile(get_config_path(name))


@pytest.mark.parametrize('kind, recipe', SHARDED)
def test_sharded_configs_keep_the_recipe(kind, recipe):
    cfg, base = load(f'{recipe}_{kind}.py'), load(f'{recipe}.py')
    assert cfg.runner_type == 'FlexibleRunner'
    assert cfg.model == base.model
    assert cfg.train_dataloader == base.train_dataloader
    assert cfg.param_scheduler == base.param_scheduler
    assert cfg.optim_wrapper.optimizer == base.optim_wrapper.optimizer
    assert cfg.optim_wrapper.paramwise_cfg == base.optim_wrapper.paramwise_cfg
    if kind == 'fsdp':
        assert cfg.optim_wrapper.type == 'OptimWrapper'
        wrapper = cfg.strategy.model_wrapper
        assert wrapper.mixed_precision.param_dtype == 'bfloat16'
        assert wrapper.use_orig_params and cfg.strategy.state_dict_cfg == 'full'
        assert type(STRATEGIES.build(cfg.strategy)).__name__ == 'FSDPStrategy'
    else:
        assert cfg.optim_wrapper.type == 'DeepSpeedOptimWrapper'
        assert cfg.strategy.zero_optimization.stage == 2
        assert cfg.strategy.bf16.enabled


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU refusal')
@pytest.mark.parametrize('kind, recipe', SHARDED)
def test_sharded_configs_refuse_cpu_only_machines(kind, recipe):
    with pytest.raises(ValueError, match='needs CUDA GPUs and this machine has none'):
        prepare_distributed(load(f'{recipe}_{kind}.py'), 'pytorch')


@pytest.mark.skipif(torch.cuda.device_count() < 2,
                    reason='FSDP needs CUDA devices: torch refuses CPU-only '
                    'processes, and NCCL one GPU a process')
def test_fsdp_trains_the_tiny_model_on_two_gpus(tmp_path):
    from fgclip_det.datasets.synthetic import generate_synthetic_dataset

    root = tmp_path / 'synthetic'
    generate_synthetic_dataset(root, num_train=8, num_val=4, image_size=128,
                               seed=0, progress=False)
    fsdp = load(f'{RECIPES[0]}_fsdp.py')
    cfg = Config.fromfile(get_config_path(
        'quickstart/fgclip-stage2_vit-tiny_1xb16-5e_synthetic.py'))
    cfg.merge_from_dict(dict(
        runner_type='FlexibleRunner', strategy=fsdp.strategy,
        optim_wrapper=dict(_delete_=True, type='OptimWrapper',
                           optimizer=cfg.optim_wrapper.optimizer),
        train_cfg=dict(max_epochs=1, val_interval=2), data_root=f'{root}/',
        train_dataloader=dict(batch_size=2, num_workers=0,
                              persistent_workers=False,
                              dataset=dict(data_root=f'{root}/'))))
    config = tmp_path / 'tiny_fsdp.py'
    cfg.dump(config)
    port = free_port()
    result = subprocess.run(
        ['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir',
         str(tmp_path / 'work')], cwd=REPO, capture_output=True, text=True,
        env=dict(os.environ, PORT=str(port),
                 PATH=f'{Path(sys.executable).parent}:{os.environ["PATH"]}'))
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'work' / 'epoch_1.pth').exists()
