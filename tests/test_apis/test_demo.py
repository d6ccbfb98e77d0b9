"""tools/demo.py draws boxes and the region-text heatmap; the heatmap API."""
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fgclip_det.apis import (
    add_colour_bar,
    overlay_heatmap,
    text_heatmap,
    text_similarity,
)
from fgclip_det.testing import build_tiny_fgclip
from fgclip_det.testing.tool_runs import import_tool

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize('extra', [[], ['--heatmap', 'a red mug']],
                         ids=['boxes', 'heatmap'])
def test_demo_writes_an_upscaled_image(tiny_fvit, tmp_path, extra):
    out = tmp_path / 'out.png'
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'demo.py'), tiny_fvit.image,
         '--config', tiny_fvit.config, '--checkpoint', tiny_fvit.checkpoint,
         '--classes', 'red mug,blue mug', '--score-thr', '0', '--max-boxes',
         '1', '--relative-score-thr', '0.5', '--out', str(out), *extra],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().endswith(': 1 boxes of 2 classes')
    drawn = cv2.imread(str(out))
    # the 160 x 200 input drawn with its shorter side 512, plus a colour bar
    assert drawn.shape[0] == 512
    assert drawn.shape[1] == 640 if not extra else drawn.shape[1] > 640


@pytest.mark.parametrize('option, value', [
    ('--max-boxes', '0'), ('--relative-score-thr', '1.01')])
def test_demo_names_a_bad_option_value(capsys, option, value):
    with pytest.raises(SystemExit):
        import_tool('demo.py').parse_args(
            ['a.png', '--config', 'c.py', '--checkpoint', 'w.pth', '--classes',
             'mug', '--out', 'o.png', option, value])
    error = capsys.readouterr().err
    assert f'argument {option}:' in error and f'got {value}' in error


def test_text_heatmap_and_overlay():
    clip = build_tiny_fgclip()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (50, 90, 3), dtype=np.uint8)
    heatmap = text_heatmap(clip, image, 'a red mug')
    assert heatmap.shape == (50, 90) and heatmap.dtype == np.float32
    assert heatmap.min() == 0.0 and heatmap.max() == pytest.approx(1.0)
    blended = overlay_heatmap(image, heatmap)
    assert blended.shape == image.shape and blended.dtype == np.uint8
    with pytest.raises(ValueError, match='shape'):
        overlay_heatmap(image, heatmap[:10])

    similarity = text_similarity(clip, image, 'a red mug')
    low, high = similarity.min(), similarity.max()
    assert -1 <= low < high <= 1
    # the raw similarities coloured over their range look like the heatmap
    assert np.array_equal(
        overlay_heatmap(image, similarity, value_range=(low, high)), blended)


def test_colour_bar_shows_the_colour_ramp_and_its_range():
    image = np.full((300, 200, 3), 128, np.uint8)
    with_bar = add_colour_bar(image, -0.05, 0.25, label='cosine similarity')
    height, width = with_bar.shape[:2]
    assert height == 300 and width > 200
    assert np.array_equal(with_bar[:, :200], image)  # the image is untouched
    bar = with_bar[:, 200:].astype(int)
    # the bar's middle column, top to bottom: the jet map from 1 to 0
    saturated = np.ptp(bar, axis=2) > 100
    rows, columns = (np.flatnonzero(saturated.any(axis=a)) for a in (1, 0))
    column = bar[:, round(columns.mean())]
    top, bottom = rows.min() + 2, rows.max() - 2
    jet = cv2.applyColorMap(np.arange(256, dtype=np.uint8), cv2.COLORMAP_JET)
    jet = jet.reshape(256, 3)[:, ::-1].astype(int)
    for row in np.linspace(top, bottom, 7).round().astype(int):
        level = round(255 * (bottom - row) / (bottom - top))
        assert np.abs(column[row] - jet[level]).max() <= 24, (row, level)
    # ticks and the label: dark text right of the bar
    text = bar[:, bar.shape[1] // 3:]
    assert (text.max(axis=2) < 100).sum() > 100
