"""tools/benchmark.py: every subcommand runs on the CPU at tiny sizes and
writes a well-formed record; the timing harness computes its statistics
right. No timing is asserted."""
import glob
import json
import subprocess
import sys
from itertools import count
from pathlib import Path

import pytest
import torch

from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool
from tools.analysis_tools.benchmark import Timing, append_record, main, measure

BENCHMARK_DIR = REPO_ROOT / 'tools' / 'analysis_tools' / 'benchmark'
FVIT_TINY = 'configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
FAST = ['--warmup', '1', '--runs', '2', '--threads', '1']
STATS = {'runs', 'median_ms', 'min_ms', 'max_ms', 'iqr_ms', 'p50_ms', 'p90_ms',
         'p99_ms'}


def pretrain_tiny_config():
    return sorted(glob.glob(
        str(REPO_ROOT / 'configs/quickstart/fgclip-stage2_vit-tiny_*.py')))[0]


CASES = {
    'encode': (['--model', 'tiny', '--batch-size', '2'],
               {'image': 'images_per_s', 'text_short': 'texts_per_s',
                'text_long': 'texts_per_s'}, 'long_short_cost_ratio'),
    'boxcls': (['--model', 'tiny', '--num-boxes', '4'],
               {'roi': 'boxes_per_s', 'crop': 'boxes_per_s'}, 'roi_speedup'),
    'detect': ([FVIT_TINY, '--image-size', '64'],
               {'with_ensemble': 'images_per_s', 'without_ensemble': 'images_per_s',
                'backbone': 'images_per_s'}, 'overhead_ratio'),
    'pretrain': ([None, '--batch-size', '2', '--image-size', '64', '--regions', '2',
                  '--negatives', '3', '--long-tokens', '30', '--short-tokens', '8'],
                 {'step': 'steps_per_s'}, 'samples_per_s'),
}


@pytest.mark.parametrize('benchmark', list(CASES))
def test_subcommand_writes_a_record(benchmark, tmp_path):
    args, workloads, ratio = CASES[benchmark]
    args = [pretrain_tiny_config() if a is None else a for a in args]
    out = tmp_path / 'results.json'
    run_tool('benchmark.py', benchmark, *args, *FAST, '--out', out,
             cwd=REPO_ROOT, timeout=300)
    (record, ) = json.loads(out.read_text())
    assert record['benchmark'] == benchmark
    assert record['command'].startswith('python ') and benchmark in record['command']
    revision = record['code_revision']
    assert revision is None or len(revision.split('+')[0]) >= 7
    env = record['environment']
    assert env['torch'] == torch.__version__ and env['device'] == 'cpu'
    assert env['cpu_count'] >= 1 and env['torch_threads'] == 1
    assert len(record['load_average']['before']) == 3
    assert record['settings']['runs'] == 2 and record['settings']['amp'] is False
    figures = record['figures']
    for name, unit in workloads.items():
        assert set(figures[name]) == STATS | {unit}
        assert figures[name]['runs'] == 2 and figures[name][unit] > 0
    assert ratio in figures
    assert {'cpu_peak_rss_mib', 'cpu_peak_rss_delta_mib'} <= set(figures['memory'])


def test_records_are_appended(tmp_path):
    out = tmp_path / 'sub' / 'results.json'
    append_record(out, dict(benchmark='a'))
    records = append_record(out, dict(benchmark='b'))
    assert json.loads(out.read_text()) == records == [dict(benchmark='a'),
                                                      dict(benchmark='b')]
    out.write_text('{}')
    with pytest.raises(ValueError, match='JSON list'):
        append_record(out, dict(benchmark='c'))


def test_amp_runs_bf16_autocast_on_the_cpu():
    record = main(['encode', '--model', 'tiny', '--batch-size', '1', '--amp', *FAST])
    assert record['settings']['amp'] is True
    assert isinstance(record['environment']['cpu_bf16'], list)
    assert record['figures']['image']['images_per_s'] > 0


def test_pretrain_amp_on_the_cpu_autocasts_a_plain_optim_wrapper():
    record = main(['pretrain', pretrain_tiny_config(), *CASES['pretrain'][0][1:],
                   '--amp', *FAST])
    assert record['settings']['optim_wrapper'] == 'OptimWrapper + CPU bf16 autocast'


def test_measure_with_a_fake_timer():
    calls = []
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0, 30.0, 34.0, 40.0, 45.0])
    timing = measure(lambda: calls.append(1), warmup=3, runs=5,
                     device=torch.device('cpu'), timer=lambda: next(ticks))
    assert len(calls) == 8
    assert timing.seconds == [1.0, 3.0, 2.0, 4.0, 5.0]
    stats = timing.summary(items_per_run=6, unit='images_per_s')
    assert stats['median_ms'] == stats['p50_ms'] == pytest.approx(3000)
    assert (stats['min_ms'], stats['max_ms']) == (pytest.approx(1000),
                                                  pytest.approx(5000))
    assert stats['iqr_ms'] == pytest.approx(2000)  # 4 s - 2 s
    assert stats['p90_ms'] == pytest.approx(4600)  # 4 + 0.6 * (5 - 4)
    assert stats['p99_ms'] == pytest.approx(4960)
    assert stats['images_per_s'] == pytest.approx(2.0)


def test_timing_percentiles_interpolate():
    timing = Timing(list(map(float, range(1, 101))))
    assert timing.median == pytest.approx(50.5)
    assert timing.percentile(99) == pytest.approx(99.01)


@pytest.mark.parametrize('warmup, runs', [(-1, 2), (0, 0)])
def test_measure_rejects_bad_counts(warmup, runs):
    with pytest.raises(ValueError, match='warmup'):
        measure(lambda: None, warmup=warmup, runs=runs, device=torch.device('cpu'),
                timer=count().__next__)


def test_fastpaths_writes_a_record(tmp_path):
    out = tmp_path / 'results.json'
    run_tool('benchmark.py', 'fastpaths', '--model', 'tiny', '--batch-size', '1',
             '--num-classes', '2', *FAST, '--out', out, cwd=REPO_ROOT, timeout=300)
    (record, ) = json.loads(out.read_text())
    assert record['benchmark'] == 'fastpaths'
    assert record['environment']['torch_threads'] == 1
    assert len(record['load_average']['before']) == 3
    settings, figures = record['settings'], record['figures']
    assert settings['dense_size'] == 64 + 2 * 16
    assert set(settings['sections']) == set(figures) - {'memory'}

    for name, unit in (('image', 'images_per_s'), ('text_short', 'texts_per_s')):
        bf16 = figures['bf16_autocast'][name]
        assert set(bf16['fp32']) == set(bf16['bf16']) == STATS | {unit}
        assert bf16['output_dtype'] == 'torch.bfloat16'
        assert 0.9 < bf16['min_cosine_to_fp32'] <= 1.0 + 1e-6
        assert bf16['speedup'] > 0

    attention = figures['attention']
    assert set(attention['variants']) == {'default', 'no_mha_fastpath', 'sdpa_math'}
    for variant in attention['variants'].values():
        assert set(variant['image']) == STATS | {'images_per_s'}
        assert set(variant['text_short']) == STATS | {'texts_per_s'}
    ops = {name: set(v['image_attention_ops'])
           for name, v in attention['variants'].items()}
    assert 'aten::_scaled_dot_product_attention_math' in ops['sdpa_math']
    assert 'aten::_scaled_dot_product_attention_math' not in ops['default']
    for workload in ('image', 'text_short'):
        assert set(attention['speedup'][workload]) == {'no_mha_fastpath', 'sdpa_math'}

    backbone = figures['frozen_backbone']
    assert set(backbone['variants']) == {'autograd', 'no_grad', 'inference_mode'}
    saved = {name: v['saved_activations_mib']
             for name, v in backbone['variants'].items()}
    assert saved['inference_mode'] == 0 < saved['no_grad'] < saved['autograd']
    assert set(backbone['speedup']) == {'no_grad', 'inference_mode',
                                        'inference_mode_vs_no_grad'}
    assert set(backbone['variants']['no_grad']['memory']) == {
        'cpu_peak_rss_mib', 'cpu_peak_rss_delta_mib'}

    pos = figures['pos_embed_cache']
    assert pos['source_grid'] == [4, 4] and pos['grid'] == [6, 6]
    assert set(pos['speedup']) == {'encode_dense', 'table'}
    for name in ('encode_dense_uncached', 'encode_dense_cached'):
        assert pos[name]['runs'] == 2 and pos[name]['images_per_s'] > 0

    text = figures['text_cache']
    assert text['num_classes'] == 2 and text['templates'] == 'single'
    assert text['first_call']['vocabularies_per_s'] > 0 and text['speedup'] > 0


def test_the_package_imports_no_benchmark_code():
    """``import fgclip_det`` and every module the configs build (what training
    imports) load nothing of the benchmark, in a fresh process."""
    code = ('import sys, fgclip_det\n'
            'from fgclip_det.utils import register_all_modules\n'
            'register_all_modules(init_default_scope=False)\n'
            'for name, module in list(sys.modules.items()):\n'
            '    print(name, getattr(module, "__file__", None) or "")\n')
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = dict(line.partition(' ')[::2] for line in proc.stdout.splitlines())
    assert 'fgclip_det.models' in loaded and 'fgclip_det.engine' in loaded

    def is_benchmark(name: str, path: str) -> bool:
        parts = name.split('.')
        own = parts[0] in ('fgclip_det', 'tools', 'analysis_tools', 'benchmark')
        return ((own and 'benchmark' in parts)
                or (bool(path) and Path(path).resolve().is_relative_to(BENCHMARK_DIR)))

    assert [name for name, path in loaded.items() if is_benchmark(name, path)] == []
