"""DeepSpeed ZeRO-2 training (``fgclip_det.DeepSpeedStrategy``) on 2 CPU
processes (gloo).

The quickstart FG-CLIP trains through ``FlexibleRunner`` with the strategy
of the ViT-L DeepSpeed leaf config in fp32 and the shipped launcher on a
tiny synthetic set; the same run with plain DDP is the reference.
"""
import importlib.util

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from test_sharded_training import (  # the same directory, on sys.path
    FGCLIP_CONFIG,
    REPO,
    assert_same_weights,
    load,
    losses,
    options,
    train,
)

from fgclip_det.engine.distributed_env import DEEPSPEED_VERSION
from fgclip_det.engine.strategies.deepspeed_strategy import check_checkpoint_folder
from fgclip_det.registry import MODELS

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec('deepspeed') is None,
    reason=f'deepspeed is not installed (bash tools/install.sh --tests '
    f'installs deepspeed=={DEEPSPEED_VERSION})')
DEEPSPEED_LEAF = ('configs/fgclip/'
                  'fgclip-stage2_vitl14-336px_8xb512-1e_finehard_deepspeed.py')


def deepspeed_config(tmp_path):
    """The quickstart FG-CLIP with the leaf's ZeRO-2 strategy in fp32 (bf16
    matrix products are slow on CPUs) and the quickstart's clipping."""
    base = Config.fromfile(REPO / FGCLIP_CONFIG)
    strategy = Config.fromfile(REPO / DEEPSPEED_LEAF).strategy
    strategy.pop('bf16')
    strategy.gradient_clipping = base.optim_wrapper.clip_grad.max_norm
    cfg = Config(dict(
        _base_=[str(REPO / FGCLIP_CONFIG)], runner_type='FlexibleRunner',
        strategy=strategy.to_dict(),
        optim_wrapper=dict(
            _delete_=True, type='DeepSpeedOptimWrapper',
            **{key: base.optim_wrapper[key].to_dict()
               for key in ('optimizer', 'paramwise_cfg')})))
    path = tmp_path / 'tiny_deepspeed.py'
    cfg.dump(path)
    return path


@pytest.mark.slow
def test_zero2_trains_as_ddp_and_its_weights_load_in_one_process(
        tmp_path, data_root):  # noqa: F811
    config = deepspeed_config(tmp_path)
    zero, ddp = tmp_path / 'zero', tmp_path / 'ddp'
    log = train(config, zero, '--cfg-options', *options(data_root, 1))
    assert ('CPU distributed run: 2 processes, gloo backend, '
            'DeepSpeedStrategy') in log
    train(REPO / FGCLIP_CONFIG, ddp, '--cfg-options', *options(data_root, 1))
    # steps 1 and 2: the same losses, so the sharded step 1 updated alike
    assert list(losses(zero)) == [1, 2]
    assert losses(zero) == pytest.approx(losses(ddp), rel=1e-5)

    # DeepSpeed's checkpoint folder, renamed into place once complete
    checkpoint = zero / 'epoch_1.pth'
    assert (zero / 'last_checkpoint').read_text() == str(checkpoint)
    assert sorted(p.name for p in checkpoint.iterdir()) == [
        'mp_rank_00_model_states.pt', 'zero_pp_rank_0_mp_rank_00_optim_states.pt',
        'zero_pp_rank_1_mp_rank_00_optim_states.pt']
    check_checkpoint_folder(str(checkpoint))  # only DeepSpeed's own classes
    states = load(checkpoint / 'mp_rank_00_model_states.pt')  # weights_only
    plain = load(ddp / 'epoch_1.pth')
    assert_same_weights(states['module'], plain['state_dict'], 2)
    assert states['param_schedulers'] == plain['param_schedulers']
    assert states['meta']['iter'] == plain['meta']['iter'] == 2
    assert states['ds_version'] == DEEPSPEED_VERSION
    # the whole model (ZeRO-2 shards no weights), 0-d logit scales included
    init_default_scope('fgclip_det')
    model = MODELS.build(Config.fromfile(REPO / FGCLIP_CONFIG).model)
    model.load_state_dict(states['module'], strict=True)
    assert model.clip.clip.logit_scale.dim() == 0

    # it resumes with 2 processes and trains on as DDP resumed
    for work_dir, cfg, start in ((zero, config, checkpoint),
                                 (ddp, REPO / FGCLIP_CONFIG, ddp / 'epoch_1.pth')):
        train(cfg, work_dir, '--resume', str(start), '--cfg-options',
              *options(data_root, 2))
    assert list(losses(zero)) == [3, 4]
    assert losses(zero) == pytest.approx(losses(ddp), rel=1e-5)
    assert_same_weights(
        load(zero / 'epoch_2.pth' / 'mp_rank_00_model_states.pt')['module'],
        load(ddp / 'epoch_2.pth')['state_dict'], 4)

