"""The confusion matrix of COCO-json detections, saved as a PNG and a JSON.

The predictions are the COCO results file that ``tools/test.py`` writes
with ``--cfg-options test_evaluator.outfile_prefix=PREFIX``
(``PREFIX.bbox.json``); the ground truth is the config's test dataset.
Pickles (``--out results.pkl``) are not read: unpickling can run code.

    python tools/test.py CONFIG CHECKPOINT \
        --cfg-options test_evaluator.outfile_prefix=work_dirs/preds
    python tools/analysis_tools/confusion_matrix.py CONFIG \
        work_dirs/preds.bbox.json work_dirs/confusion

Counting (one-to-one, see
:mod:`fgclip_det.evaluation.functional.confusion_matrix`): row ``c`` sums to
the ground-truth boxes of class ``c``, column ``c`` to its detections
scoring at least ``--score-thr``; the last row / column is the background
(false positives / misses). Crowd (ignored) boxes are left out.
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Confusion matrix of COCO-json detections')
    parser.add_argument('config', help='config whose test dataset holds the '
                        'ground truth')
    parser.add_argument('predictions', help='COCO results json '
                        '(PREFIX.bbox.json of tools/test.py)')
    parser.add_argument('out_dir', help='folder for confusion_matrix.png '
                        'and confusion_matrix.json')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='smallest detection score kept (default 0.3)')
    parser.add_argument('--tp-iou-thr', type=float, default=0.5,
                        help='smallest IoU of a match (default 0.5)')
    parser.add_argument('--show', action='store_true', help='display it')
    parser.add_argument('--color-theme', default='Blues',
                        help='matplotlib colour map (default Blues)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs '
                        '(xxx=yyy)')
    args = parser.parse_args()
    if args.predictions.endswith(('.pkl', '.pickle')):
        parser.error(
            f'{args.predictions}: pickles are not read (unpickling can run '
            'code); write COCO json with tools/test.py --cfg-options '
            'test_evaluator.outfile_prefix=PREFIX and pass PREFIX.bbox.json')
    if not 0 < args.tp_iou_thr <= 1:
        parser.error(f'--tp-iou-thr must be in (0, 1], got {args.tp_iou_thr}')
    return args


def load_predictions(path: str, cat2label: dict, img_ids: set) -> dict:
    """Image id -> list of ``(xyxy box, label, score)``, checked."""
    with open(path, encoding='utf-8') as file:
        try:
            results = json.load(file)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path}: not JSON ({err})') from err
    if not isinstance(results, list):
        raise ValueError(f'{path}: expected a COCO results list '
                         '[{"image_id", "bbox", "score", "category_id"}, ...], '
                         f'got a {type(results).__name__}')
    by_image = {}
    for index, entry in enumerate(results):
        where = f'{path}: entry {index}'
        if not isinstance(entry, dict):
            raise ValueError(f'{where}: expected an object, got {entry!r}')
        missing = [k for k in ('image_id', 'bbox', 'score', 'category_id')
                   if k not in entry]
        if missing:
            raise ValueError(f'{where}: missing {", ".join(missing)}')
        bbox = entry['bbox']
        if not (isinstance(bbox, list) and len(bbox) == 4):
            raise ValueError(f'{where}: bbox must be [x, y, w, h], got {bbox}')
        if entry['category_id'] not in cat2label:
            raise ValueError(f'{where}: category_id {entry["category_id"]} '
                             f'is not a category of the test set '
                             f'({sorted(cat2label)})')
        if entry['image_id'] not in img_ids:
            raise ValueError(f'{where}: image_id {entry["image_id"]} is not '
                             'an image of the test set (predictions of '
                             'another split?)')
        x, y, w, h = bbox
        by_image.setdefault(entry['image_id'], []).append(
            ((x, y, x + w, y + h), cat2label[entry['category_id']],
             entry['score']))
    return by_image


def plot(matrix, classes, path: str, theme: str, show: bool) -> None:
    """Counts in each cell, coloured by the share of their row."""
    import matplotlib
    if not show:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import numpy as np

    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros(matrix.shape),
                      where=rows > 0)
    n = len(classes)
    side = max(4.0, 0.55 * n + 2)
    fig, ax = plt.subplots(figsize=(side + 1, side), dpi=100)
    image = ax.imshow(share * 100, cmap=theme, vmin=0, vmax=100)
    fig.colorbar(image, ax=ax, label='% of the row (ground-truth boxes)')
    ax.set_xticks(range(n), classes, rotation=45, ha='right')
    ax.set_yticks(range(n), classes)
    ax.set_xlabel('predicted')
    ax.set_ylabel('ground truth')
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha='center', va='center',
                        color='white' if share[i, j] > 0.5 else 'black',
                        fontsize=8)
    ax.set_title('confusion matrix (box counts)')
    fig.tight_layout()
    fig.savefig(path)
    if show:
        plt.show()


def main() -> None:
    args = parse_args()
    import numpy as np

    from fgclip_det.evaluation.functional import detection_confusion_matrix
    from fgclip_det.registry import DATASETS
    from fgclip_det.utils.tool_cli import load_config

    cfg = load_config(args.config, args.cfg_options)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    classes = list(dataset.metainfo['classes'])
    cat_ids = getattr(dataset, 'cat_ids', None)
    if cat_ids is None:
        raise ValueError(f'{args.config}: the test dataset '
                         f'({type(dataset).__name__}) is not a COCO-style '
                         'detection set (no cat_ids)')
    cat2label = {cat_id: label for label, cat_id in enumerate(cat_ids)}
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    predictions = load_predictions(args.predictions, cat2label,
                                   {info['img_id'] for info in infos})
    gt_boxes, gt_labels, det_boxes, det_labels, det_scores = ([] for _ in
                                                              range(5))
    for info in infos:
        kept = [i for i in info['instances'] if not i.get('ignore_flag', 0)]
        gt_boxes.append(np.array([i['bbox'] for i in kept]).reshape(-1, 4))
        gt_labels.append(np.array([i['bbox_label'] for i in kept], int))
        dets = predictions.get(info['img_id'], [])
        det_boxes.append(np.array([d[0] for d in dets]).reshape(-1, 4))
        det_labels.append(np.array([d[1] for d in dets], int))
        det_scores.append(np.array([d[2] for d in dets], float))
    matrix = detection_confusion_matrix(
        gt_boxes, gt_labels, det_boxes, det_labels, det_scores, len(classes),
        score_thr=args.score_thr, iou_thr=args.tp_iou_thr)
    os.makedirs(args.out_dir, exist_ok=True)
    labels = classes + ['background']
    with open(osp.join(args.out_dir, 'confusion_matrix.json'), 'w',
              encoding='utf-8') as file:
        json.dump(dict(classes=labels, matrix=matrix.tolist(),
                       score_thr=args.score_thr, iou_thr=args.tp_iou_thr,
                       rows='ground truth', columns='predicted'), file)
    png = osp.join(args.out_dir, 'confusion_matrix.png')
    plot(matrix, labels, png, args.color_theme, args.show)
    correct = int(np.trace(matrix[:-1, :-1]))
    print(f'{len(infos)} images, {int(matrix[:-1].sum())} ground-truth '
          f'boxes, {int(matrix[:, :-1].sum())} detections >= '
          f'{args.score_thr}: {correct} matched with the right class, '
          f'{int(matrix[:-1, -1].sum())} missed, '
          f'{int(matrix[-1].sum())} on background')
    print(f'saved {png}')


if __name__ == '__main__':
    main()
