"""tools/demo.py draws boxes and the region-text heatmap; the heatmap API."""
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from fgclip_det.apis import overlay_heatmap, text_heatmap
from fgclip_det.testing import build_tiny_fgclip

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize('extra', [[], ['--heatmap', 'a red mug']],
                         ids=['boxes', 'heatmap'])
def test_demo_writes_an_image_of_the_input_size(tiny_fvit, tmp_path, extra):
    out = tmp_path / 'out.png'
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'demo.py'), tiny_fvit.image,
         '--config', tiny_fvit.config, '--checkpoint', tiny_fvit.checkpoint,
         '--classes', 'red mug,blue mug', '--score-thr', '0', '--out',
         str(out), *extra],
        cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    drawn = cv2.imread(str(out))
    assert drawn.shape == cv2.imread(tiny_fvit.image).shape


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
