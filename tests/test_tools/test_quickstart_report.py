"""tools/quickstart_report.py: the figures of test runs against the targets."""
import json
import os
import time
from pathlib import Path

import pytest

from fgclip_det.testing.tool_runs import import_tool

report = import_tool('quickstart_report.py')

GOOD = {
    'clip': {'fg_ranking/hard_negative_top1': 75.0},
    'box_cls': {'box_cls/top1': 85.0, 'box_cls/top1_novel': 72.5,
                'box_cls/top1_other': 90.0},
    'fgovd': {'fgovd/hard': 61.0, 'fgovd/medium': 90.0, 'fgovd/easy': 95.0,
              'fgovd/trivial': 99.0},
    # OVCocoMetric reports fractions, the table percent
    'detector': {'coco/bbox_AP50_novel': 0.35, 'coco/bbox_AP50_base': 0.70},
    'detector_no_ensemble': {'coco/bbox_AP50_novel': 0.20,
                             'coco/bbox_AP50_base': 0.71},
}


def write_run(root: Path, figures: dict) -> Path:
    """Test-run folders as tools/test.py writes them."""
    for step, metrics in figures.items():
        folder = root / step / '20261201_000000'
        folder.mkdir(parents=True)
        (folder / '20261201_000000.json').write_text(json.dumps(metrics))
    return root


def run(argv, capsys):
    code = report.main([str(a) for a in argv])
    return code, capsys.readouterr().out


def test_all_targets_met(tmp_path, capsys):
    root = write_run(tmp_path / 'qs', GOOD)
    code, out = run(['--run', f'FG-CLIP={root}', '--wall-seconds', '600',
                     '--out', tmp_path / 'results.md', '--strict'], capsys)
    assert code == 0 and 'targets missed' not in out
    table = (tmp_path / 'results.md').read_text()
    assert table.strip() == out.strip()
    rows = {line.split(' | ')[0].strip('| '): line.split(' | ')
            for line in table.splitlines()[2:]}
    assert rows['on the novel shapes (%)'][1:] == ['72.5', '>= 70', 'yes |']
    assert rows['synthetic FG-OVD medium / easy / trivial (%)'][1] == (
        '90.0 / 95.0 / 99.0')
    assert rows['F-ViT AP50 novel'][1] == '35.0'
    assert rows['CLIP ensemble gain in AP50 novel'][1:] == [
        '15.0', '> 0', 'yes |']
    assert rows['quickstart wall time (min)'][1:] == ['10.0', '<= 12',
                                                      'yes |']


def test_missed_targets_are_named(tmp_path, capsys):
    figures = json.loads(json.dumps(GOOD))
    figures['box_cls']['box_cls/top1_novel'] = 69.9
    figures['detector_no_ensemble']['coco/bbox_AP50_novel'] = 0.40
    root = write_run(tmp_path / 'qs', figures)
    code, out = run(['--run', f'FG-CLIP={root}', '--wall-seconds', '800',
                     '--strict'], capsys)
    assert code == 1
    missed = out.splitlines()[-1]
    assert missed.startswith('targets missed: ')
    assert 'on the novel shapes (%)' in missed
    assert 'CLIP ensemble gain in AP50 novel' in missed
    assert 'quickstart wall time (min)' in missed
    assert '-5.0' in out  # the ensemble lost 5 points
    # without --strict the report only informs
    assert run(['--run', f'FG-CLIP={root}'], capsys)[0] == 0


def test_ablation_columns_and_missing_steps(tmp_path, capsys):
    full = write_run(tmp_path / 'full', GOOD)
    stage1 = write_run(tmp_path / 'stage1', {
        'box_cls': {'box_cls/top1': 30.0, 'box_cls/top1_novel': 20.0,
                    'box_cls/top1_other': 33.0}})
    code, out = run(['--run', f'full={full}', '--run', f'stage 1={stage1}'],
                    capsys)
    header, _, *lines = out.splitlines()
    assert header == '| figure | full | stage 1 | target | met |'
    novel = next(line for line in lines if 'novel shapes' in line)
    assert novel == '| on the novel shapes (%) | 72.5 | 20.0 | >= 70 | yes |'
    fgovd = next(line for line in lines if 'FG-OVD hard' in line)
    assert fgovd == '| synthetic FG-OVD hard (%) | 61.0 |  | >= 60 | yes |'


def test_newest_test_run_is_read(tmp_path, capsys):
    root = write_run(tmp_path / 'qs', {'box_cls': {
        'box_cls/top1': 10.0, 'box_cls/top1_novel': 5.0,
        'box_cls/top1_other': 12.0}})
    newer = root / 'box_cls' / '20261201_000100'
    newer.mkdir()
    path = newer / '20261201_000100.json'
    path.write_text(json.dumps({'box_cls/top1': 81.0,
                                'box_cls/top1_novel': 71.0,
                                'box_cls/top1_other': 85.0}))
    later = time.time() + 10
    os.utime(path, (later, later))
    _, out = run(['--run', f'FG-CLIP={root}'], capsys)
    assert '| 81.0 |' in out


def test_bad_arguments(tmp_path, capsys):
    root = write_run(tmp_path / 'qs', GOOD)
    with pytest.raises(SystemExit):
        report.parse_args(['--run', str(root)])
    assert 'NAME=DIR' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        report.parse_args(['--run', f'a={tmp_path / "missing"}'])
    assert 'is not a folder' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        report.parse_args(['--run', f'a={root}', '--check', 'b'])
    assert "--check 'b'" in capsys.readouterr().err


def test_missing_metric_names_the_file(tmp_path):
    root = write_run(tmp_path / 'qs', {'fgovd': {'fgovd/hard': 50.0}})
    with pytest.raises(KeyError, match="fgovd/medium"):
        report.run_figures(str(root))
    (tmp_path / 'empty' / 'clip').mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match='tools/test.py'):
        report.run_figures(str(tmp_path / 'empty'))


def test_hard_negative_gain_over_its_ablation(tmp_path, capsys):
    full = write_run(tmp_path / 'full', GOOD)
    ablation = write_run(tmp_path / 'ablation', {
        'clip': {'fg_ranking/hard_negative_top1': 68.5}})
    argv = ['--run', f'full={full}', '--run', f'no hn={ablation}',
            '--hard-negative-ablation', 'no hn', '--strict']
    code, out = run(argv, capsys)
    gain = next(line for line in out.splitlines() if 'gain over' in line)
    assert gain == ('| hard-negative top-1 gain over its ablation (points) '
                    '| 6.5 |  | >= 10 | NO |')
    assert code == 1 and 'gain over its ablation' in out.splitlines()[-1]
    # 75.0 against 65.0: the 10 points asked
    (ablation / 'clip' / '20261201_000000' / '20261201_000000.json').write_text(
        json.dumps({'fg_ranking/hard_negative_top1': 65.0}))
    code, out = run(argv, capsys)
    assert code == 0 and '| 10.0 |  | >= 10 | yes |' in out


def test_hard_negative_ablation_must_be_a_run_with_clip_figures(tmp_path,
                                                               capsys):
    full = write_run(tmp_path / 'full', GOOD)
    with pytest.raises(SystemExit):
        report.parse_args(['--run', f'full={full}',
                           '--hard-negative-ablation', 'other'])
    assert "--hard-negative-ablation 'other'" in capsys.readouterr().err
    no_clip = write_run(tmp_path / 'no_clip', {'fgovd': GOOD['fgovd']})
    with pytest.raises(KeyError, match="no_clip has no 'hard-negative top-1"):
        report.main(['--run', f'full={full}', '--run', f'no_clip={no_clip}',
                     '--hard-negative-ablation', 'no_clip'])
