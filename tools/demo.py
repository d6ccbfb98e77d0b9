"""Detect any vocabulary in an image and draw the result.

    python tools/demo.py demo.jpg \
        --config configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py \
        --checkpoint fvit_ov-coco.pth \
        --clip-checkpoint fgclip_vitb16-224px_upstream \
        --classes "red mug,blue mug" --out out.png
    # also colour the image by its FG-CLIP similarity to a text
    python tools/demo.py demo.jpg ... --heatmap "a red mug" --out out.png

``--checkpoint`` and ``--clip-checkpoint`` take files or model-index names
(downloaded); without ``--clip-checkpoint`` the text tower's weights are the
config's ``model.backbone.clip_checkpoint``. The image and the classes are
read before the models are built: a missing, empty or undecodable image or a
bad class list ends the command with one error line (exit status 1).
"""
import argparse
from typing import List, Optional, Tuple

import mmcv
import numpy as np
from mmdet.visualization import DetLocalVisualizer

from fgclip_det.apis import (
    OpenVocabDetector,
    overlay_heatmap,
    read_image_file,
    text_heatmap,
)
from fgclip_det.models.text import load_vocabulary


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('image', help='image file')
    parser.add_argument('--config', required=True,
                        help='detector config file or model-index name')
    parser.add_argument('--checkpoint', required=True,
                        help='detector checkpoint file or model-index name')
    parser.add_argument('--clip-checkpoint',
                        help='FG-CLIP toolkit checkpoint (file or model-index '
                        'name) for the text tower')
    parser.add_argument('--clip-prefix', default='',
                        help='key prefix of FGCLIP in --clip-checkpoint')
    parser.add_argument('--classes', required=True,
                        help='comma-separated class names, a text file with '
                        'one a line, or a COCO json')
    parser.add_argument('--out', required=True, help='output image (.png)')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='draw boxes scoring at least this')
    parser.add_argument('--heatmap', metavar='TEXT',
                        help='overlay the dense similarity to this text')
    parser.add_argument('--device', default='cpu', help="e.g. 'cuda:0'")
    return parser.parse_args(argv)


def read_inputs(args: argparse.Namespace) -> Tuple[np.ndarray, List[str]]:
    """The image (BGR) and the class names; ``SystemExit`` with the reason
    if either cannot be used."""
    try:
        return (read_image_file(args.image, 'image'),
                load_vocabulary(args.classes))
    except (OSError, TypeError, ValueError) as error:
        raise SystemExit(f'demo.py: error: {error}') from None


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    image, class_names = read_inputs(args)
    detector = OpenVocabDetector(
        args.config, args.checkpoint, clip_checkpoint=args.clip_checkpoint,
        clip_prefix=args.clip_prefix, device=args.device)
    detector.set_vocabulary(class_names)
    sample = detector.predict([image])[0]

    canvas = mmcv.bgr2rgb(image)
    if args.heatmap:
        canvas = overlay_heatmap(canvas,
                                 text_heatmap(detector.clip, canvas, args.heatmap))
    visualizer = DetLocalVisualizer(name='fgclip_det_demo')
    visualizer.dataset_meta = detector.model.dataset_meta
    visualizer.add_datasample('demo', canvas, sample, draw_gt=False,
                              pred_score_thr=args.score_thr, out_file=args.out)
    kept = int((sample.pred_instances.scores >= args.score_thr).sum())
    print(f'{args.out}: {kept} boxes of {len(detector.vocabulary)} classes')


if __name__ == '__main__':
    main()
