"""Draw a data set's annotations, image by image.

A detection config: its train dataset through its train pipeline (the
augmented images and boxes the model sees), drawn by mmdet's visualizer::

    python tools/analysis_tools/browse_dataset.py \
        configs/quickstart/faster-rcnn_r18-tiny_fpn_1xb8-12e_synthetic.py \
        --output-dir browse --not-show --max-images 8

Caption records (no config): boxes numbered and listed with their region
captions, each followed by its hard negatives::

    python tools/analysis_tools/browse_dataset.py --records finehard \
        data/synthetic/finehard/train.json --image-root data/synthetic \
        --output-dir browse --not-show
    python tools/analysis_tools/browse_dataset.py --records fgovd \
        data/synthetic/fgovd/h_attributes_llava.jsonl \
        --image-root data/synthetic --output-dir browse --not-show
"""
import argparse
import os.path as osp
from typing import Optional

from mmengine.config import DictAction

RECORD_KINDS = ('finehard', 'fgovd')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw the annotations of a detection config or of '
        'FineHARD / FG-OVD caption records')
    parser.add_argument('config', nargs='?',
                        help='detection config (its train dataset and '
                        'pipeline); leave out with --records')
    parser.add_argument('--records', nargs=2, metavar=('KIND', 'FILE'),
                        help=f'browse caption records instead: KIND is one '
                        f'of {", ".join(RECORD_KINDS)}, FILE a FineHARD '
                        '.json / .jsonl or an FG-OVD .jsonl')
    parser.add_argument('--image-root', default='',
                        help="with --records: folder the records' img_path "
                        'are relative to')
    parser.add_argument('--output-dir',
                        help='save one PNG an image here (named after it)')
    parser.add_argument('--not-show', action='store_true',
                        help='do not display the images')
    parser.add_argument('--show-interval', type=float, default=2,
                        help='seconds each image is shown')
    parser.add_argument('--max-images', type=int, metavar='N',
                        help='stop after N images (default: all)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs '
                        '(xxx=yyy)')
    args = parser.parse_args()
    if (args.config is None) == (args.records is None):
        parser.error('give a detection CONFIG or --records KIND FILE '
                     '(one of them)')
    if args.records is not None:
        if args.records[0] not in RECORD_KINDS:
            parser.error(f'--records KIND must be one of {RECORD_KINDS}, '
                         f'got {args.records[0]!r}')
        if args.cfg_options:
            parser.error('--cfg-options needs a CONFIG')
    if args.not_show and args.output_dir is None:
        parser.error('--not-show without --output-dir draws nothing')
    if args.max_images is not None and args.max_images < 1:
        parser.error(f'--max-images must be >= 1, got {args.max_images}')
    return args


def out_file(args: argparse.Namespace, img_path: str) -> Optional[str]:
    """Where an image's picture goes (None without ``--output-dir``)."""
    if args.output_dir is None:
        return None
    return osp.join(args.output_dir,
                    osp.splitext(osp.basename(img_path))[0] + '.png')


def browse_config(args: argparse.Namespace) -> int:
    """Draw the train dataset of a detection config; the count drawn."""
    from mmdet.models.utils import mask2ndarray
    from mmdet.structures import DetDataSample
    from mmdet.structures.bbox import BaseBoxes
    from mmengine.utils import ProgressBar

    from fgclip_det.registry import DATASETS, VISUALIZERS
    from fgclip_det.utils.tool_cli import load_config
    from fgclip_det.visualization import MIN_SHORT_SIDE, draw_detections

    cfg = load_config(args.config, args.cfg_options)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    visualizer = VISUALIZERS.build(
        dict(cfg.get('visualizer') or {}, name='browse_dataset',
             type='fgclip_det.ReadableDetLocalVisualizer', vis_backends=None))
    visualizer.dataset_meta = dataset.metainfo
    total = len(dataset) if args.max_images is None else min(
        len(dataset), args.max_images)
    progress = ProgressBar(total)
    for index in range(total):
        item = dataset[index]
        sample = item.get('data_samples') if isinstance(item, dict) else None
        if not isinstance(sample, DetDataSample):
            raise ValueError(
                f'{args.config}: train_dataloader.dataset '
                f'({cfg.train_dataloader.dataset.type}) does not give '
                "detection samples ('data_samples' of PackDetInputs); for "
                'FineHARD / FG-OVD files use --records finehard|fgovd FILE')
        sample = sample.numpy()
        gt = sample.gt_instances
        if isinstance(gt.get('bboxes'), BaseBoxes):
            gt.bboxes = gt.bboxes.tensor
        # masks are drawn at the image's own size (only boxes are rescaled)
        min_short_side = MIN_SHORT_SIDE
        if gt.get('masks') is not None:
            gt.masks = mask2ndarray(gt.masks).astype(bool)
            min_short_side = 0
        image = item['inputs'].permute(1, 2, 0).numpy()[..., ::-1].copy()
        draw_detections(visualizer, osp.basename(sample.img_path), image,
                        sample, min_short_side=min_short_side,
                        draw_pred=False, show=not args.not_show,
                        wait_time=args.show_interval,
                        out_file=out_file(args, sample.img_path))
        progress.update()
    return total


def browse_records(args: argparse.Namespace) -> int:
    """Draw FineHARD or FG-OVD records; the count drawn."""
    import mmcv
    from mmengine.visualization import Visualizer

    from fgclip_det.visualization.captioned_boxes import (
        draw_captioned_image,
        read_fgovd_images,
        read_finehard_images,
    )

    kind, ann_file = args.records
    read = read_finehard_images if kind == 'finehard' else read_fgovd_images
    visualizer = Visualizer(name='browse_records')
    count = 0
    for item, image in read(ann_file, args.image_root, args.max_images):
        drawn = draw_captioned_image(visualizer, image, item)
        if not args.not_show:
            visualizer.show(drawn, win_name=item.img_path,
                            wait_time=args.show_interval)
        path = out_file(args, item.img_path)
        if path is not None:
            mmcv.imwrite(drawn[..., ::-1], path)
        count += 1
    return count


def main() -> None:
    args = parse_args()
    count = browse_config(args) if args.config else browse_records(args)
    where = f' to {args.output_dir}' if args.output_dir else ''
    print(f'\ndrew {count} image(s){where}')


if __name__ == '__main__':
    main()
