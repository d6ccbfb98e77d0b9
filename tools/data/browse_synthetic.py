"""Draw a grid of synthetic samples with their boxes and region texts.

Example::

    python tools/data/browse_synthetic.py data/synthetic --out grid.png
"""
import argparse

from fgclip_det.datasets.synthetic.browse import render_grid
from fgclip_det.datasets.synthetic.seeding import SPLITS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw synthetic samples with boxes and short expressions')
    parser.add_argument('data_dir', help='folder made by make_synthetic.py')
    parser.add_argument('--out', default='grid.png', help='output PNG')
    parser.add_argument('--split', choices=SPLITS, default='val')
    parser.add_argument('--num', type=int, default=8, help='images to draw')
    parser.add_argument('--columns', type=int, default=4, help='per row')
    parser.add_argument(
        '--tile-size', type=int, default=256, help='pixels per image')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    grid = render_grid(
        args.data_dir,
        split=args.split,
        num=args.num,
        columns=args.columns,
        tile_size=args.tile_size)
    grid.save(args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
