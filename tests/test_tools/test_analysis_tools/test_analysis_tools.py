"""tools/analysis_tools/ and tools/misc/print_config.py, each run as a
subprocess on a tiny synthetic set (128 px) and the quickstart configs."""
import json
import re
from collections import Counter

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.evaluation.functional import detection_confusion_matrix
from fgclip_det.testing.tool_runs import REPO_ROOT, run_tool
from fgclip_det.visualization import MIN_SHORT_SIDE
from fgclip_det.visualization.captioned_boxes import PANEL_WIDTH

QUICKSTART = REPO_ROOT / 'configs' / 'quickstart'
FASTER_RCNN = QUICKSTART / 'faster-rcnn_r18-tiny_fpn_1xb8-12e_synthetic.py'
FVIT = QUICKSTART / 'fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
FGCLIP = QUICKSTART / 'fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py'
IMAGE_SIZE = 128
_UNITS = {'': 1, 'K': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12}


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    generate_synthetic_dataset(root, num_train=3, num_val=2,
                               image_size=IMAGE_SIZE, seed=0, progress=False)
    return root


def pngs(folder):
    return sorted(folder.glob('*.png'))


def test_browse_detection_config(root, tmp_path):
    out = tmp_path / 'browse'
    run_tool('analysis_tools/browse_dataset.py', FASTER_RCNN,
             '--output-dir', out, '--not-show', '--max-images', '2',
             '--cfg-options', f'train_dataloader.dataset.data_root={root}/',
             cwd=tmp_path)
    train = json.loads((root / 'annotations/instances_train.json').read_text())
    with_boxes = len({a['image_id'] for a in train['annotations']})
    files = pngs(out)
    assert len(files) == min(2, with_boxes)
    for path in files:  # 128 px through Resize(128), drawn at 512 px
        assert Image.open(path).size == (MIN_SHORT_SIDE, MIN_SHORT_SIDE)


@pytest.mark.parametrize('kind,ann_file', [
    ('finehard', 'finehard/train.json'),
    ('fgovd', 'fgovd/h_attributes_llava.jsonl'),
])
def test_browse_caption_records(root, tmp_path, kind, ann_file):
    out = tmp_path / 'browse'
    proc = run_tool('analysis_tools/browse_dataset.py', '--records', kind,
                    root / ann_file, '--image-root', root, '--output-dir',
                    out, '--not-show', '--max-images', '2', cwd=tmp_path)
    assert 'drew 2 image(s)' in proc.stdout
    files = pngs(out)
    assert [p.name for p in files] == ['000001.png', '000002.png']
    for path in files:
        image = np.asarray(Image.open(path).convert('RGB'))
        assert image.shape[1] == MIN_SHORT_SIDE + PANEL_WIDTH
        assert image.shape[0] >= MIN_SHORT_SIDE
        panel = image[:, MIN_SHORT_SIDE:]
        assert (panel < 200).any()  # captions and negatives written


def test_browse_dataset_arguments(tmp_path):
    proc = run_tool('analysis_tools/browse_dataset.py', cwd=tmp_path,
                    check=False)
    assert proc.returncode == 2 and 'CONFIG or --records' in proc.stderr
    proc = run_tool('analysis_tools/browse_dataset.py', '--records', 'coco',
                    'x.json', '--output-dir', tmp_path, cwd=tmp_path,
                    check=False)
    assert proc.returncode == 2 and "got 'coco'" in proc.stderr


def write_log(path):
    """An MMEngine scalars.json: 2 epochs of 4 iterations logged every 2
    iterations, validation after each epoch."""
    lines = []
    for epoch in (1, 2):
        for it in (2, 4):
            step = (epoch - 1) * 4 + it
            lines.append(dict(lr=1e-3, loss=4.0 / step, time=0.5 * it,
                              data_time=0.01, epoch=epoch, iter=step,
                              step=step))
        lines.append({'coco/bbox_mAP': 0.1 * epoch, 'data_time': 0.01,
                      'time': 0.2, 'step': epoch})
    path.write_text(''.join(json.dumps(line) + '\n' for line in lines))


def test_analyze_logs(tmp_path):
    log = tmp_path / 'scalars.json'
    write_log(log)
    out = tmp_path / 'curve.png'
    run_tool('analysis_tools/analyze_logs.py', 'plot_curve', log, '--keys',
             'loss', 'coco/bbox_mAP', '--out', out, cwd=tmp_path)
    assert Image.open(out).size == (600, 500)  # 2 panels of 6 x 2.5 in
    proc = run_tool('analysis_tools/analyze_logs.py', 'cal_train_time', log,
                    cwd=tmp_path)
    # the first logged time of each epoch (1.0 s) is left out
    assert 'average: 2.0000 s/iter' in proc.stdout
    proc = run_tool('analysis_tools/analyze_logs.py', 'cal_train_time', log,
                    '--include-outliers', cwd=tmp_path)
    assert 'average: 1.5000 s/iter' in proc.stdout
    proc = run_tool('analysis_tools/analyze_logs.py', 'plot_curve', log,
                    '--keys', 'bbox_mAP', '--out', out, cwd=tmp_path,
                    check=False)
    assert proc.returncode != 0 and 'coco/bbox_mAP' in proc.stderr


def flops_rows(stdout):
    """``{what: (flops, params)}`` of get_flops' table."""
    rows = {}
    for line in stdout.splitlines():
        match = re.match(r'^(\S.*?|  \S.*?)\s+([\d.]+)([KMGT]?)\s+'
                         r'([\d.]+)([KMGT]?)$', line)
        if match:
            what, flops, fu, params, pu = match.groups()
            rows[what.strip()] = (float(flops) * _UNITS[fu],
                                  float(params) * _UNITS[pu])
    return rows


def test_get_flops_fvit(tmp_path):
    proc = run_tool('analysis_tools/get_flops.py', FVIT, cwd=tmp_path)
    rows = flops_rows(proc.stdout)
    total = rows.pop(next(k for k in rows if k.startswith('detector')))
    assert set(rows) == {'backbone', 'neck', 'rpn_head', 'roi_head'}
    assert all(flops > 0 and params > 0 for flops, params in rows.values())
    assert sum(f for f, _ in rows.values()) <= total[0] * 1.001


def test_get_flops_fgclip(tmp_path):
    proc = run_tool('analysis_tools/get_flops.py', FGCLIP, cwd=tmp_path)
    rows = flops_rows(proc.stdout)
    size = f'{IMAGE_SIZE}x{IMAGE_SIZE}'
    image = rows[f'image tower, global embedding, {size}']
    dense = rows[f'image tower, global + dense map, {size}']
    short = rows['text tower, short path, 77 tokens']
    long = rows['text tower, long path, 248 tokens']
    assert 0 < image[0] < dense[0] and 0 < short[0] < long[0]
    assert image[1] == dense[1] > 0 and short[1] == long[1] > 0
    # attention is counted: 4 ViT layers of 257 tokens, width 128
    assert image[0] > 4 * 257 * (12 * 128**2 + 2 * 257 * 128)


def test_confusion_matrix_counts_every_box_once():
    gt_boxes = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.zeros((0, 4))]
    gt_labels = [np.array([0, 1]), np.array([], int)]
    det_boxes = [np.array([[0, 0, 10, 10], [0, 0, 10, 9], [20, 20, 30, 30]]),
                 np.array([[0, 0, 5, 5]])]
    det_labels = [np.array([0, 0, 0]), np.array([1])]
    det_scores = [np.array([0.9, 0.8, 0.7]), np.array([0.5])]
    matrix = detection_confusion_matrix(gt_boxes, gt_labels, det_boxes,
                                        det_labels, det_scores, 2)
    # box 0 found; a duplicate on background; box 1 taken for class 0;
    # a detection on an empty image
    np.testing.assert_array_equal(matrix, [[1, 0, 0], [1, 0, 0], [1, 1, 0]])


def test_confusion_matrix_tool(root, tmp_path):
    gt = json.loads((root / 'annotations/instances_val.json').read_text())
    anns = gt['annotations']
    predictions = [dict(image_id=a['image_id'], bbox=a['bbox'], score=0.9,
                        category_id=a['category_id']) for a in anns[1:]]
    cat_ids = [c['id'] for c in gt['categories']]
    confused = predictions[0]
    confused['category_id'] = cat_ids[
        (cat_ids.index(confused['category_id']) + 1) % len(cat_ids)]
    predictions.append(dict(image_id=anns[0]['image_id'], bbox=[0, 0, 3, 3],
                            score=0.8, category_id=cat_ids[0]))
    predictions.append(dict(image_id=anns[0]['image_id'], bbox=[0, 0, 3, 3],
                            score=0.1, category_id=cat_ids[0]))  # < score_thr
    preds = tmp_path / 'preds.bbox.json'
    preds.write_text(json.dumps(predictions))
    out = tmp_path / 'cm'
    run_tool('analysis_tools/confusion_matrix.py', FASTER_RCNN, preds, out,
             '--cfg-options', f'test_dataloader.dataset.data_root={root}/',
             cwd=tmp_path)
    saved = json.loads((out / 'confusion_matrix.json').read_text())
    matrix = np.array(saved['matrix'])
    label = {cat: i for i, cat in enumerate(cat_ids)}
    per_class = Counter(label[a['category_id']] for a in anns)
    num_classes = len(cat_ids)
    assert matrix.sum(axis=1)[:num_classes].tolist() == [
        per_class[c] for c in range(num_classes)]
    assert matrix[label[anns[0]['category_id']], num_classes] == 1  # missed
    assert matrix[num_classes, 0] == 1  # the box on background
    assert matrix.sum() - np.trace(matrix[:num_classes, :num_classes]) == 3
    assert Image.open(out / 'confusion_matrix.png').size[0] >= 400
    proc = run_tool('analysis_tools/confusion_matrix.py', FASTER_RCNN,
                    'results.pkl', out, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and 'outfile_prefix' in proc.stderr


def test_print_config(tmp_path):
    saved = tmp_path / 'merged.py'
    proc = run_tool('misc/print_config.py', FGCLIP, '--cfg-options',
                    'train_cfg.max_epochs=1', '--save-path', saved,
                    cwd=tmp_path)
    assert 'max_epochs=1' in proc.stdout
    assert "type='FGCLIPPretrainer'" in proc.stdout
    assert Config.fromfile(str(saved)).train_cfg.max_epochs == 1
