"""Generate the embedded synthetic fine-grained data set.

Example::

    python tools/data/make_synthetic.py data/synthetic
    python tools/data/make_synthetic.py data/synthetic-10k --num-train 10000 \
        --num-val 1000 --image-size 320
"""
import argparse

from fgclip_det.datasets.synthetic import SHAPES, generate_synthetic_dataset
from fgclip_det.datasets.synthetic.generator import DEFAULT_NOVEL_CLASSES, IMAGE_FORMATS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate the synthetic detection and captioning set '
        '(COCO, FineHARD-style, FG-OVD-style and retrieval files).')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--num-train', type=int, default=1000, help='training images')
    parser.add_argument(
        '--num-val', type=int, default=100, help='validation images')
    parser.add_argument(
        '--image-size',
        type=int,
        nargs='+',
        default=[224],
        metavar='PIXELS',
        help='side of a square image, or WIDTH HEIGHT')
    parser.add_argument(
        '--max-objects', type=int, default=4, help='objects per image, 1..N')
    parser.add_argument(
        '--closeup-prob',
        type=float,
        default=0.25,
        help='fraction of close-ups (one large object filling the image)')
    parser.add_argument(
        '--novel-classes',
        nargs='*',
        default=list(DEFAULT_NOVEL_CLASSES),
        choices=SHAPES,
        metavar='SHAPE',
        help=f'shapes without training boxes, of {", ".join(SHAPES)}')
    parser.add_argument(
        '--image-format', choices=tuple(IMAGE_FORMATS), default='png')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args()
    if len(args.image_size) > 2:
        parser.error('--image-size takes one or two values')
    return args


def main() -> None:
    args = parse_args()
    size = args.image_size
    manifest = generate_synthetic_dataset(
        args.out_dir,
        seed=args.seed,
        num_train=args.num_train,
        num_val=args.num_val,
        image_size=size[0] if len(size) == 1 else (size[0], size[1]),
        max_objects=args.max_objects,
        closeup_prob=args.closeup_prob,
        novel_classes=args.novel_classes,
        image_format=args.image_format,
        progress=not args.no_progress)
    print(f"wrote {manifest['num_images']['train']} train and "
          f"{manifest['num_images']['val']} val images "
          f"({manifest['num_objects']['train']} + "
          f"{manifest['num_objects']['val']} objects) to {args.out_dir}")


if __name__ == '__main__':
    main()
