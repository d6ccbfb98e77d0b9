"""Make the OV-COCO training file (base-class boxes only) from COCO.

Example::

    python tools/data/make_ov_coco.py \
        data/coco/annotations/instances_train2017.json \
        data/coco/annotations/instances_train2017_ov-base.json

Validation uses the standard ``instances_val2017.json``: the configs select
the 65 OV-COCO classes by name.
"""
import argparse
import json

from fgclip_det.datasets.ov_coco import base_only_coco


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Keep the 48 base-class boxes of a COCO instances file '
        '(65 OV-COCO categories, images without a base box dropped).')
    parser.add_argument('src', help='COCO instances json, e.g. train2017')
    parser.add_argument('dst', help='output json')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with open(args.src, encoding='utf-8') as f:
        coco = json.load(f)
    ov_coco = base_only_coco(coco)
    with open(args.dst, 'w', encoding='utf-8') as f:
        json.dump(ov_coco, f)
    print(f'{args.dst}: {len(ov_coco["images"])} images, '
          f'{len(ov_coco["annotations"])} base boxes, '
          f'{len(ov_coco["categories"])} categories')


if __name__ == '__main__':
    main()
