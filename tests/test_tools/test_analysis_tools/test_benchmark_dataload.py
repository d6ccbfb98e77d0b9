"""tools/benchmark.py dataload: the quickstart configs' loaders on a small
generated set, on the CPU, and the helpers. No timing is asserted."""
import json

import pytest
import torch
from mmengine.structures import BaseDataElement

from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool
from tools.analysis_tools.benchmark import SUBCOMMANDS, dataload

QUICKSTART = 'configs/quickstart/'
FGCLIP_TINY = QUICKSTART + 'fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
FVIT_TINY = QUICKSTART + 'fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
SMALL = ['--synthetic-images', '8', '--batch-size', '2', '--workers', '0', '1',
         '--batches', '3', '--runs', '2', '--warmup', '1', '--threads', '1']
STATS = {'runs', 'median_ms', 'min_ms', 'max_ms', 'iqr_ms', 'p50_ms', 'p90_ms',
         'p99_ms', 'batches_per_s'}


def run_dataload(config, tmp_path, *extra):
    out = tmp_path / 'results.json'
    run_tool('benchmark.py', 'dataload', config, *SMALL, *extra, '--out', out,
             cwd=REPO_ROOT, timeout=300)
    (record, ) = json.loads(out.read_text())
    return record


def test_is_a_subcommand():
    assert SUBCOMMANDS['dataload'] is dataload


def test_pretraining_loader_record(tmp_path):
    record = run_dataload(FGCLIP_TINY, tmp_path, '--step-ms', '10')
    assert record['benchmark'] == 'dataload'
    settings, figures = record['settings'], record['figures']
    assert settings['data'] == 'generated synthetic set: 8 train, 2 val images'
    assert settings['dataset_size'] == 8 and settings['batch_size'] == 2
    assert settings['collate_fn'] == 'pseudo_collate'
    assert settings['config_loader']['num_workers'] == 2
    variants = figures['variants']
    assert list(variants) == ['workers_0_pin_off', 'workers_0_pin_on',
                              'workers_1_pin_off', 'workers_1_pin_on']
    for workers in (0, 1):
        assert variants[f'workers_{workers}_pin_on'] == dict(
            skipped=dataload.pin_skip_reason(torch.device('cpu')))
        measured = variants[f'workers_{workers}_pin_off']
        assert measured['workers'] == workers and measured['pin_memory'] is False
        assert set(measured['run']) == STATS and measured['run']['runs'] == 2
        # 4 batches an epoch: each run of 3 batches crosses or meets an
        # epoch end, and every batch is full
        assert measured['samples_per_run'] == [6, 6]
        assert measured['startup_ms'] > 0 and measured['samples_per_s'] > 0
        assert measured['loader_step_ratio'] == pytest.approx(
            measured['ms_per_batch'] / 10)
    assert figures['baseline'] == 'workers_0_pin_off'
    assert set(figures['speedup']) == {'workers_1_pin_off'}
    assert 'no effect' in figures['amp']


def test_detection_loader_record(tmp_path):
    record = run_dataload(FVIT_TINY, tmp_path, '--pin-memory', 'off')
    settings, variants = record['settings'], record['figures']['variants']
    assert settings['batch_sampler'] == 'AspectRatioBatchSampler'
    assert 0 < settings['dataset_size'] <= 8  # images with base boxes only
    assert set(variants) == {'workers_0_pin_off', 'workers_1_pin_off'}
    for measured in variants.values():
        assert len(measured['samples_per_run']) == 2
        assert all(3 <= n <= 6 for n in measured['samples_per_run'])
        assert measured['loader_step_ratio'] is None


def test_set_data_root_reaches_wrapped_datasets():
    cfg = dict(type='ClassBalancedDataset',
               dataset=dict(type='ConcatDataset',
                            datasets=[dict(data_root='a/'), dict(data_root='b/')]))
    dataload.set_data_root(cfg, 'root/')
    assert [d['data_root'] for d in cfg['dataset']['datasets']] == ['root/'] * 2
    assert 'data_root' not in cfg


def test_count_samples():
    assert dataload.count_samples(dict(inputs=[torch.zeros(3)] * 5,
                                       data_samples=[None] * 5)) == 5
    assert dataload.count_samples(dict(inputs=torch.zeros(4, 3))) == 4
    assert dataload.count_samples([1, 2, 3]) == 3


def test_batch_mover_copies_nested_tensors():
    sample = BaseDataElement(boxes=torch.ones(2, 4), caption='a')
    batch = dict(inputs=[torch.zeros(3)], data_samples=[sample], ids=(1, 2))
    moved = dataload.batch_mover(torch.device('cpu'), non_blocking=False)(batch)
    assert torch.equal(moved['inputs'][0], batch['inputs'][0])
    assert torch.equal(moved['data_samples'][0].boxes, sample.boxes)
    assert moved['data_samples'][0].caption == 'a' and moved['ids'] == (1, 2)


def test_pin_skip_reason(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert 'no CUDA device' in dataload.pin_skip_reason(torch.device('cpu'))
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert '--device cpu' in dataload.pin_skip_reason(torch.device('cpu'))
    assert dataload.pin_skip_reason(torch.device('cuda')) is None


def test_endless_restarts_epochs():
    batches = dataload.endless(torch.utils.data.DataLoader(range(3), batch_size=2))
    assert [len(next(batches)) for _ in range(4)] == [2, 1, 2, 1]
    with pytest.raises(ValueError, match='no batch'):
        next(dataload.endless(torch.utils.data.DataLoader([])))


def test_ratios_and_speedups():
    assert dataload.step_ratio(5.0, None) is None
    assert dataload.step_ratio(5.0, 20.0) == pytest.approx(0.25)
    variants = dict(a=dict(run=dict(median_ms=30.0)), b=dict(skipped='why'),
                    c=dict(run=dict(median_ms=10.0)))
    assert dataload.speedups(variants) == ('a', dict(c=pytest.approx(3.0)))
    assert dataload.speedups(dict(b=dict(skipped='why'))) == (None, {})
    assert dataload.variant_name(2, True) == 'workers_2_pin_on'
