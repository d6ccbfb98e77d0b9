"""tools/web_demo.py: its defaults, its prediction function, and its page
driven in headless Chromium (Playwright)."""
import importlib.util
import os
import re
from pathlib import Path

import mmcv
import numpy as np
import pytest
from mmengine.config import Config

from fgclip_det.testing.http_server import free_port
from fgclip_det.testing.tool_runs import REPO_ROOT, import_tool
from fgclip_det.visualization import select_instances

pytest.importorskip('gradio', reason='the web demo needs gradio '
                    '(requirements/demo.txt, installed by install.sh --tests)')
web_demo = import_tool('web_demo.py')

CHROMIUM = '/usr/bin/chromium'
# As root, without network: no sandbox and no background connections.
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                 '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
IMAGE = 'data/synthetic/images/val/000002.png'  # 128 x 128 noise


def _write_quickstart_outputs(root: Path) -> None:
    """tests/test_apis/test_readme_inference.py's helper: the quickstart's
    files under ``root``, with random weights."""
    path = REPO_ROOT / 'tests' / 'test_apis' / 'test_readme_inference.py'
    spec = importlib.util.spec_from_file_location('readme_inference', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_quickstart_outputs(root)


@pytest.fixture(scope='module')
def quickstart(tmp_path_factory) -> Path:
    """A folder laid out as the repository after ``tools/quickstart.sh``."""
    root = tmp_path_factory.mktemp('quickstart')
    _write_quickstart_outputs(root)
    return root


@pytest.fixture(scope='module')
def detector(quickstart):
    """The demo's detector from its default flags, started in ``quickstart``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(quickstart)
        return web_demo.load_detector(web_demo.parse_args([]))


def test_defaults_are_what_quickstart_sh_writes():
    script = (REPO_ROOT / 'tools' / 'quickstart.sh').read_text()
    assert f'DET_CONFIG={web_demo.QUICKSTART_CONFIG}\n' in script
    cfg = Config.fromfile(REPO_ROOT / web_demo.QUICKSTART_CONFIG)
    name = Path(web_demo.QUICKSTART_CONFIG).stem
    assert web_demo.QUICKSTART_CHECKPOINT == (
        f'work_dirs/{name}/epoch_{cfg.train_cfg.max_epochs}.pth')
    assert (cfg.model.backbone.clip_checkpoint
            == web_demo.QUICKSTART_CLIP_CHECKPOINT)


def test_missing_quickstart_files_say_what_to_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit, match=re.escape(
            'run `bash tools/quickstart.sh` first')) as error:
        web_demo.load_detector(web_demo.parse_args([]))
    assert web_demo.QUICKSTART_CHECKPOINT in str(error.value)


def test_detect_draws_boxes_heatmap_and_table(detector):
    visualizer = web_demo.ReadableDetLocalVisualizer(name='test_web_demo')
    image = np.random.default_rng(0).integers(0, 256, (160, 200, 3), np.uint8)
    boxes, heatmap, rows = web_demo.detect(
        detector, visualizer, image, 'circle\nstar, ,triangle', 0.0, 2)
    assert boxes.shape == (512, 640, 3)  # drawn upscaled, as tools/demo.py
    assert heatmap.shape[0] == 512 and heatmap.shape[1] > 640  # colour bar
    assert 1 <= len(rows) <= 2
    assert {row[0] for row in rows} <= {'circle', 'star', 'triangle'}
    assert [row[1] for row in rows] == sorted((row[1] for row in rows),
                                              reverse=True)
    with pytest.raises(ValueError, match='upload an image'):
        web_demo.detect(detector, visualizer, None, 'circle', 0.3, 5)
    with pytest.raises(ValueError, match='no class names'):
        web_demo.detect(detector, visualizer, image, ' ,\n', 0.3, 5)


def _wait_for_image(page, selector: str) -> int:
    """The natural width of the decoded image of ``selector``; fails with
    the page's text (e.g. an error toast) if none comes."""
    script = ('s => { const i = document.querySelector(s); '
              'return i && i.complete && i.naturalWidth; }')
    try:
        return page.wait_for_function(script, arg=selector,
                                      timeout=60_000).json_value()
    except Exception as error:  # playwright's TimeoutError
        pytest.fail(f'no {selector}: {error}\n{page.inner_text("body")[:2000]}')


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                    reason=f'no {CHROMIUM} (Debian: apt-get install chromium)')
def test_page_in_headless_chromium(detector, quickstart, tmp_path, monkeypatch):
    sync_api = pytest.importorskip(
        'playwright.sync_api',
        reason='playwright is installed with the test requirements')
    monkeypatch.setenv('GRADIO_TEMP_DIR', str(tmp_path / 'gradio'))
    app = web_demo.build_app(detector, ('circle', 'square'))
    port = free_port()
    app.launch(server_name='127.0.0.1', server_port=port,
               prevent_thread_lock=True, quiet=True)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={'width': 1400, 'height': 1100})
            page.goto(f'http://127.0.0.1:{port}/')
            page.locator('#image input[type=file]').set_input_files(
                str(quickstart / IMAGE))
            page.locator('#vocabulary textarea').fill('circle\nstar, triangle')
            page.locator('#score-thr input[type=range]').fill('0')
            page.locator('#max-boxes input[type=range]').fill('2')
            page.click('#detect')
            assert _wait_for_image(page, '#boxes img') == 512
            assert _wait_for_image(page, '#heatmap img') > 512
            page.locator('#table [role=gridcell]').first.wait_for()
            columns = [page.locator(f'#table [role=gridcell][data-col="{c}"]')
                       .all_inner_texts() for c in range(6)]
            page.screenshot(path=str(tmp_path / 'web_demo.png'), full_page=True)
            browser.close()
    finally:
        app.close()
    page_rows = [[row[0], *map(float, row[1:])] for row in zip(*columns)]
    assert 1 <= len(page_rows) <= 2
    # the boxes the page shows are the Python API's for the same input
    names = ['circle', 'star', 'triangle']
    image = mmcv.imread(str(quickstart / IMAGE))  # BGR, as the API reads files
    detector.set_vocabulary(names)
    pred = select_instances(detector.predict([image])[0].pred_instances, 2,
                            score_thr=0.0)
    api_rows = [[names[label], round(score, 3), *(round(v, 1) for v in box)]
                for label, score, box in zip(pred.labels.tolist(),
                                             pred.scores.tolist(),
                                             pred.bboxes.tolist())]
    assert page_rows == api_rows
    assert (tmp_path / 'web_demo.png').stat().st_size > 0
