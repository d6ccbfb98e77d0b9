"""HostSyncCounter counts what waits for the device; the training and
inference paths of this toolkit make no such call; ``benchmark.py syncs``
writes its record."""
import argparse
import copy
import json

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement

from fgclip_det.models.pretrain.fgclip_data_preprocessor import clip_region_boxes
from fgclip_det.registry import MODELS
from fgclip_det.testing import tiny_fgclip_cfg
from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool
from tools.analysis_tools.benchmark import main
from tools.analysis_tools.benchmark.host_syncs import HostSyncCounter
from tools.analysis_tools.benchmark.pretrain import synthetic_batch
from tools.analysis_tools.benchmark.syncs import OWN_PACKAGE, count_syncs

FVIT_TINY = 'configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
PRETRAIN_TINY = 'configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
FAST = ['--warmup', '1', '--runs', '1', '--threads', '1']


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


def test_counter_counts_each_kind_of_wait():
    x = torch.arange(6.0)
    with HostSyncCounter() as syncs:
        x.sum().item()
        bool(x.any())
        int(x.argmax())
        x.tolist()
        x[x > 2]
        torch.nonzero(x)
        x.unique()
        x.new_tensor([1.0])
        torch.tensor([1.0], device=x.device)
        x.repeat_interleave(torch.ones(6, dtype=torch.long))
        torch.where(x > 2)
    assert syncs.by_call == {
        'item': 1, '__bool__': 1, '__int__': 1, 'tolist': 1, '__getitem__': 1,
        'nonzero': 1, 'unique': 1, 'new_tensor': 1, 'tensor': 1,
        'repeat_interleave': 1, 'where': 1}
    assert syncs.total == 11
    assert all('test_host_syncs.py:' in site for site in syncs.by_site)


def test_counter_ignores_work_that_stays_on_the_device():
    x = torch.arange(6.0)
    with HostSyncCounter() as syncs:
        y = (x * 2).softmax(0)[torch.tensor([0, 2])]
        x[1:3] = 0
        torch.where(x > 2, x, y.sum())
        x.masked_fill(x > 2, 0)
        x.to('cpu')
        torch.tensor([1.0], device='cpu')
        x.repeat_interleave(torch.ones(6, dtype=torch.long), output_size=6)
    assert syncs.total == 0, syncs.summary()


def pretrainer_and_data(batch_size=2):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='FGCLIPPretrainer', clip=tiny_fgclip_cfg(),
        regional_head=dict(type='RegionalContrastiveHead'),
        hard_negative_head=dict(type='HardNegativeHead'))).train()
    args = argparse.Namespace(batch_size=batch_size, regions=3, negatives=2,
                              long_tokens=20, short_tokens=6,
                              region_tokens=5)
    batch = synthetic_batch(args, 64)
    # A region without negatives takes the masked path of the hard-negative head.
    batch['data_samples'][0].region_negatives[0] = []
    return model, model.data_preprocessor(batch, True)


def test_pretraining_loss_and_backward_make_no_sync():
    model, data = pretrainer_and_data()
    with HostSyncCounter() as syncs:
        losses = model(**data, mode='loss')
        loss, _ = model.parse_losses(losses)
        loss.backward()
    assert syncs.total == 0, syncs.summary()
    assert set(losses) >= {'loss_global_long', 'loss_region', 'loss_hard_negative'}


def test_fvit_heads_make_no_sync_of_their_own():
    # The config's image_size, a (height, width) pair.
    record = main(['syncs', FVIT_TINY, '--batch-size', '1', *FAST])
    figures = record['figures']
    assert set(figures) == {'loss_backward', 'predict'}
    for phase in figures.values():
        assert phase['fgclip_det'] == 0, phase['by_site']
        assert phase['total'] == phase['libraries'] == sum(phase['by_call'].values())
        assert not any(site.startswith(OWN_PACKAGE) for site in phase['by_site'])
    # mmdet's assigner and sampler do wait: the counter sees library code.
    assert figures['loss_backward']['libraries'] > 0


def test_syncs_writes_a_record_for_a_pretraining_config(tmp_path):
    out = tmp_path / 'results.json'
    run_tool('benchmark.py', 'syncs', PRETRAIN_TINY, '--batch-size', '2',
             '--image-size', '64', '--regions', '2', '--negatives', '2', *FAST,
             '--out', out, cwd=REPO_ROOT, timeout=300)
    (record, ) = json.loads(out.read_text())
    assert record['benchmark'] == 'syncs'
    assert record['settings']['model'] == 'FGCLIPPretrainer'
    figures = record['figures']
    assert figures['loss_backward']['total'] == 0
    # AdamW reads its host step counters; clip_grad logs the norm with float().
    assert figures['optimizer_step']['fgclip_det'] == 0
    assert figures['optimizer_step']['by_call'].get('__float__') == 1


def test_count_syncs_averages_over_the_runs():
    x = torch.ones(3)
    figures = count_syncs(lambda: x.sum().item(), warmup=2, runs=4)
    # Sites outside fgclip_det (this test) count as library code.
    assert figures['total'] == figures['libraries'] == 1
    assert figures['fgclip_det'] == 0
    assert figures['by_call'] == {'item': 4}


def test_region_boxes_are_clipped_on_the_host_with_a_count():
    samples = [BaseDataElement(region_boxes=torch.tensor([[-5., 2., 30., 70.],
                                                          [1., 1., 9., 9.]])),
               BaseDataElement(region_boxes=torch.zeros(0, 4))]
    with pytest.warns(UserWarning, match='1 of 2 region boxes .* 64x48 images'):
        assert clip_region_boxes(samples, (64, 48)) == 1
    torch.testing.assert_close(samples[0].region_boxes,
                               torch.tensor([[0., 2., 30., 64.], [1., 1., 9., 9.]]))
    assert samples[1].region_boxes.shape == (0, 4)


def test_preprocessor_reads_values_before_its_transfer(monkeypatch):
    model, _ = pretrainer_and_data()
    args = argparse.Namespace(batch_size=2, regions=2, negatives=2,
                              long_tokens=20, short_tokens=6,
                              region_tokens=5)
    batch = synthetic_batch(args, 64)
    preprocessor = model.data_preprocessor
    seen = []

    def spy(data):
        seen.append(copy.copy(data))
        return data
    monkeypatch.setattr(preprocessor, 'cast_data', spy)
    preprocessor(batch, True)
    images, samples = seen
    assert images.dtype == torch.uint8 and images.shape == (2, 3, 64, 64)
    for sample in samples:
        assert sample.long_tokens.shape == (20, )
        assert sample.region_tokens.shape == (2, 5)
        assert sample.region_boxes.dtype == torch.float32


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')
def test_cuda_pretraining_loss_and_backward_never_wait():
    model, data = pretrainer_and_data()
    model = model.cuda()
    data = model.data_preprocessor.cast_data(data)
    torch.cuda.set_sync_debug_mode('error')
    try:
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        loss.backward()
    finally:
        torch.cuda.set_sync_debug_mode('default')
