"""tools/benchmark.py detect --breakdown: the stage timer, the FLOP count
against the matmul peak, and the cut backward that equals one plain
backward. No timing is asserted."""
import math
from types import SimpleNamespace

import pytest
import torch
from mmdet.testing import demo_mm_inputs

from fgclip_det.testing.tool_runs import REPO_ROOT
from fgclip_det.utils.tool_cli import load_config
from tools.analysis_tools.benchmark import main
from tools.analysis_tools.benchmark.detect import benchmark_model_cfg, build_detector
from tools.analysis_tools.benchmark.detect_stages import (
    breakdown,
    plain_loss_and_backward,
    train_breakdown,
)
from tools.analysis_tools.benchmark.flops import (
    count_flops,
    efficiency,
    matmul_peak_gflops,
)
from tools.analysis_tools.benchmark.runtime import drop_pretrained
from tools.analysis_tools.benchmark.stages import StageTimer, patched

QUICKSTART = REPO_ROOT / 'configs/quickstart'
FVIT_TINY = QUICKSTART / 'fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
CPU = torch.device('cpu')


@pytest.fixture(scope='module')
def detector_and_batch():
    model_cfg, _ = benchmark_model_cfg(load_config(str(FVIT_TINY)), 64)
    torch.manual_seed(0)
    model = build_detector(model_cfg, CPU)
    packed = demo_mm_inputs(batch_size=2, image_shapes=[(3, 64, 64)] * 2,
                            num_items=[3, 2], num_classes=4)
    return model, packed


def test_flops_of_a_matmul_and_efficiency():
    a, b = torch.ones(8, 16), torch.ones(16, 4)
    assert count_flops(lambda: a @ b) == 2 * 8 * 16 * 4
    assert matmul_peak_gflops(CPU, side=64, runs=2) > 0
    figures = efficiency(2 * 10 ** 9, 0.5, peak_gflops=8.0)
    assert figures == dict(gflop=2.0, gflops_per_s=4.0, fraction_of_peak=0.5)


def test_stage_timer_counts_a_reentered_stage_once_and_nests():
    timer = StageTimer(CPU, count_flops=True)
    owner = SimpleNamespace(inner=lambda x: x @ x, outer=None)
    owner.outer = lambda x: owner.inner(x) + owner.inner(x)
    x = torch.ones(4, 4)
    with timer.wrapping([(owner, 'inner', 'inner'), (owner, 'outer', 'outer'),
                         (owner, 'inner', 'inner')]):
        with timer.stage('outer'):  # re-entered by owner.outer: counted once
            owner.outer(x)
    assert timer.flops == dict(inner=2 * 2 * 4 ** 3, outer=2 * 2 * 4 ** 3)
    assert timer.seconds['outer'] >= timer.seconds['inner'] > 0


def test_patched_restores_instance_and_class_attributes():
    class Owner:
        def method(self):
            return 'class'

    owner = Owner()
    owner.own = 'instance'
    with patched([(owner, 'method', lambda: 'patched'), (owner, 'own', 'patched')]):
        assert owner.method() == 'patched' and owner.own == 'patched'
    assert owner.method() == 'class' and 'method' not in vars(owner)
    assert owner.own == 'instance'


def _grads(model):
    return {name: p.grad.clone() for name, p in model.named_parameters()
            if p.grad is not None}


def test_cut_backward_gives_the_plain_gradients(detector_and_batch):
    model, packed = detector_and_batch
    model.train()
    grads = []
    for step in (train_breakdown, plain_loss_and_backward):
        torch.manual_seed(1)  # the RPN and RoI samplers draw at random
        step(model, packed, StageTimer(CPU))
        grads.append(_grads(model))
        model.zero_grad(set_to_none=True)
    model.eval()
    cut, plain = grads
    assert set(cut) == set(plain) and any('neck' in n for n in cut)
    assert any(n.startswith('backbone') for n in cut)
    for name in plain:
        torch.testing.assert_close(cut[name], plain[name], rtol=1e-5, atol=1e-6,
                                   msg=name)


def test_breakdown_accounts_for_the_step(detector_and_batch):
    model, packed = detector_and_batch
    figures = breakdown(model, packed, CPU, warmup=0, runs=1, peak_gflops=50.0)
    test, train = figures['test'], figures['train']
    assert {'preprocess', 'backbone', 'neck', 'rpn', 'roi_head', 'nms',
            'test_step'} <= set(test)
    stages = ('preprocess', 'backbone', 'neck', 'rpn', 'roi_head')
    assert sum(test[s]['median_ms'] for s in stages) <= test['test_step']['median_ms']
    assert test['nms']['median_ms'] <= test['roi_head']['median_ms']
    assert test['test_step']['share_of_total'] == 1.0
    # the FLOPs of the parts add up to the whole, and the cuts change none
    assert math.isclose(sum(test[s]['gflop'] for s in stages),
                        test['test_step']['gflop'], rel_tol=1e-9)
    parts = ('rpn_backward', 'roi_head_backward', 'neck_backward',
             'backbone_backward')
    assert math.isclose(sum(train[s]['gflop'] for s in parts),
                        train['backward']['gflop'], rel_tol=1e-9)
    assert math.isclose(train['train_step']['gflop'],
                        train['loss_and_backward']['gflop'], rel_tol=1e-9)
    assert train['backward']['gflop'] > train['loss_forward']['gflop'] > 0
    for stage in [*test.values(), *train.values()]:
        assert stage['fraction_of_peak'] == pytest.approx(
            stage['gflops_per_s'] / 50.0)
    assert not model.training


def test_pretrain_breakdown_splits_the_step():
    config = QUICKSTART / 'fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
    record = main(['pretrain', str(config), '--batch-size', '2', '--image-size', '64',
                   '--regions', '2', '--negatives', '3', '--long-tokens', '20',
                   '--short-tokens', '8', '--breakdown', '--warmup', '0',
                   '--runs', '1', '--threads', '1',
                   '--cfg-options', 'model.clip.grad_checkpointing=False'])
    assert record['settings']['cfg_options'] == {'model.clip.grad_checkpointing': False}
    assert record['settings']['grad_checkpointing'] is False
    stages = record['figures']['stages']
    assert record['figures']['matmul_peak_gflops_per_s'] > 0
    parts = ('preprocess', 'loss_forward', 'backward', 'optimizer_step')
    total = stages['train_step']['median_ms']
    assert sum(stages[s]['median_ms'] for s in parts) <= total
    assert (stages['image_forward']['median_ms'] + stages['text_forward']['median_ms']
            <= stages['loss_forward']['median_ms'])
    # every matmul of the step is in the forward or the backward
    assert math.isclose(stages['loss_forward']['gflop'] + stages['backward']['gflop'],
                        stages['train_step']['gflop'], rel_tol=1e-9)
    assert (stages['loss_forward']['gflop']
            > stages['image_forward']['gflop'] + stages['text_forward']['gflop'] > 0)
    assert stages['optimizer_step']['gflop'] == 0


def test_random_weights_keep_the_pretrained_activation():
    openai = dict(model_name='ViT-B-16', pretrained='openai', checkpoint='x.pth')
    drop_pretrained(openai)
    assert openai == dict(model_name='ViT-B-16', quick_gelu=True)
    laion = dict(model_name='ViT-B-16', pretrained='laion2b_s34b_b88k')
    drop_pretrained(laion)
    assert laion == dict(model_name='ViT-B-16', quick_gelu=False)
    forced = dict(model_name='ViT-B-16', pretrained='openai', quick_gelu=False)
    drop_pretrained(forced)
    assert forced == dict(model_name='ViT-B-16', quick_gelu=False)
