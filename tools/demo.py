"""Detect any vocabulary in an image and draw the result.

    python tools/demo.py demo.jpg \
        --config configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py \
        --checkpoint fvit_ov-coco.pth \
        --clip-checkpoint fgclip_vitb16-224px_upstream \
        --classes "red mug,blue mug" --out out.png
    # the 5 best boxes scoring at least half the best score; and colour
    # the image by its FG-CLIP similarity to a text (with a colour bar)
    python tools/demo.py demo.jpg ... --max-boxes 5 --relative-score-thr 0.5 \
        --heatmap "a red mug" --out out.png

``--checkpoint`` and ``--clip-checkpoint`` take files or model-index names
(downloaded); without ``--clip-checkpoint`` the text tower's weights are the
config's ``model.backbone.clip_checkpoint``. Images with a shorter side
below 512 px are drawn upscaled to it, so that the labels are legible. The
image and the classes are
read before the models are built: a missing, empty or undecodable image or a
bad class list ends the command with one error line (exit status 1).
"""
import argparse
from typing import List, Optional, Tuple

import mmcv
import numpy as np

from fgclip_det.apis import (
    OpenVocabDetector,
    add_colour_bar,
    overlay_heatmap,
    read_image_file,
    text_similarity,
)
from fgclip_det.datasets.vocabulary import load_vocabulary
from fgclip_det.visualization import (
    ReadableDetLocalVisualizer,
    draw_detections,
    max_boxes_arg,
    relative_score_thr_arg,
    select_instances,
)


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
                        help='draw boxes scoring at least this (default: 0.3)')
    parser.add_argument('--max-boxes', type=max_boxes_arg, metavar='K',
                        help='draw at most the K highest-scoring boxes '
                        '(default: no limit)')
    parser.add_argument('--relative-score-thr', type=relative_score_thr_arg,
                        default=0.0, metavar='R',
                        help='draw boxes scoring at least R (in [0, 1]) times '
                        'the best score of the image (default: 0)')
    parser.add_argument('--heatmap', metavar='TEXT',
                        help='overlay the dense similarity to this text, with '
                        'a colour bar of its value range')
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
    sample.pred_instances = select_instances(
        sample.pred_instances, args.max_boxes, args.relative_score_thr,
        args.score_thr)

    canvas = mmcv.bgr2rgb(image)
    if args.heatmap:
        similarity = text_similarity(detector.clip, canvas, args.heatmap)
        value_range = (float(similarity.min()), float(similarity.max()))
        canvas = overlay_heatmap(canvas, similarity, value_range=value_range)
    visualizer = ReadableDetLocalVisualizer(name='fgclip_det_demo')
    visualizer.dataset_meta = detector.model.dataset_meta
    drawn = draw_detections(visualizer, 'demo', canvas, sample, draw_gt=False)
    if args.heatmap:
        drawn = add_colour_bar(drawn, *value_range,
                               label=f'cosine similarity to "{args.heatmap}"')
    mmcv.imwrite(mmcv.rgb2bgr(drawn), args.out)
    print(f'{args.out}: {len(sample.pred_instances)} boxes of '
          f'{len(detector.vocabulary)} classes')


if __name__ == '__main__':
    main()
