"""tools/test.py --show-dir with --max-boxes, --relative-score-thr, --score-thr."""
from types import SimpleNamespace

import mmcv
import pytest
from mmengine.registry import VISUALIZERS, init_default_scope

from fgclip_det.registry import HOOKS
from fgclip_det.testing.drawn_boxes import black_picture_sample, box_drawn
from fgclip_det.testing.tool_runs import import_tool
from fgclip_det.visualization import ReadableDetLocalVisualizer

TEST_PY = import_tool('test.py')
CONFIG = '''
default_scope = 'fgclip_det'
default_hooks = dict(
    visualization=dict(type='DetVisualizationHook', score_thr=0.05))
visualizer = dict(type='DetLocalVisualizer', name='test_show_options',
                  bbox_color=(255, 255, 255))
'''
BOXES = [[4, 4, 30, 28], [44, 4, 76, 28], [4, 36, 30, 60]]
SCORES = [0.9, 0.6, 0.3]


@pytest.fixture(autouse=True)
def _restore_local_rank(monkeypatch):
    monkeypatch.setenv('LOCAL_RANK', '0')  # parse_args sets it; undone after


def _config(tmp_path, *options):
    path = tmp_path / 'config.py'
    path.write_text(CONFIG)
    return TEST_PY.load_config(TEST_PY.parse_args(
        [str(path), 'none', '--work-dir', str(tmp_path), *options]))


def test_options_configure_the_hook_that_draws(tmp_path):
    cfg = _config(tmp_path, '--show-dir', 'vis', '--relative-score-thr', '0.5')
    hook_cfg = cfg.default_hooks.visualization
    assert hook_cfg.type == 'fgclip_det.ReadableDetVisualizationHook'
    assert hook_cfg.draw and hook_cfg.test_out_dir == 'vis'
    assert hook_cfg.relative_score_thr == 0.5 and hook_cfg.score_thr == 0.05
    assert 'max_boxes' not in hook_cfg  # not given: the hook's default

    init_default_scope('fgclip_det')
    visualizer = VISUALIZERS.build(cfg.visualizer)  # before the hook, as the runner
    assert isinstance(visualizer, ReadableDetLocalVisualizer)
    hook = HOOKS.build(hook_cfg)
    sample = black_picture_sample(tmp_path / 'img.png', 64, 80, BOXES, SCORES)
    hook.after_test_iter(SimpleNamespace(work_dir=str(tmp_path), timestamp='t'),
                         0, {}, [sample])
    picture = mmcv.imread(str(tmp_path / 't' / 'vis' / 'img.png'))
    drawn = [box_drawn(picture, box, 8, 640) for box in BOXES]
    assert drawn == [True, True, False]  # 0.3 < 0.5 * 0.9


def test_given_options_override_the_config(tmp_path):
    hook_cfg = _config(
        tmp_path, '--show', '--max-boxes', '2', '--score-thr', '0.2',
        '--cfg-options', 'default_hooks.visualization.max_boxes=5',
        'default_hooks.visualization.relative_score_thr=0.1',
    ).default_hooks.visualization
    assert hook_cfg.show and hook_cfg.max_boxes == 2
    assert hook_cfg.score_thr == 0.2 and hook_cfg.relative_score_thr == 0.1


def test_without_show_the_config_is_unchanged(tmp_path):
    cfg = _config(tmp_path)
    assert cfg.default_hooks.visualization.type == 'DetVisualizationHook'
    assert cfg.visualizer.type == 'DetLocalVisualizer'


@pytest.mark.parametrize('options, message', [
    (['--max-boxes', '0'], 'argument --max-boxes: max_boxes must be an integer '
     '>= 1 (or None), got 0'),
    (['--max-boxes', 'all'], "argument --max-boxes: invalid literal for int() "
     "with base 10: 'all'"),
    (['--relative-score-thr', '1.5'], 'argument --relative-score-thr: '
     'relative_score_thr must be in [0, 1], got 1.5'),
    (['--relative-score-thr', '-0.2'], 'got -0.2'),
])
def test_bad_values_are_named(capsys, options, message):
    with pytest.raises(SystemExit) as exit_info:
        TEST_PY.parse_args(['config.py', 'none', '--show-dir', 'vis', *options])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_box_options_need_show_or_show_dir(capsys):
    with pytest.raises(SystemExit):
        TEST_PY.parse_args(['config.py', 'none', '--max-boxes', '3'])
    assert 'need --show or --show-dir' in capsys.readouterr().err
