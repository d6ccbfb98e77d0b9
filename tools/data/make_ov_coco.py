"""Make the OV-COCO training file (base-class boxes only) from COCO.

Example::

    python tools/data/make_ov_coco.py \
        data/coco/annotations/instances_train2017.json \
        data/coco/annotations/instances_train2017_ov-base.json

Validation uses the standard ``instances_val2017.json``: the configs select
the 65 OV-COCO classes by name.
"""
from fgclip_det.datasets.json_conversion import convert_json_file, parse_src_dst_args
from fgclip_det.datasets.ov_coco import base_only_coco


def main() -> None:
    args = parse_src_dst_args(
        'Keep the 48 base-class boxes of a COCO instances file '
        '(65 OV-COCO categories, images without a base box dropped).',
        src_help='COCO instances json, e.g. train2017')
    _, ov_coco = convert_json_file(args.src, args.dst, base_only_coco)
    print(f'{args.dst}: {len(ov_coco["images"])} images, '
          f'{len(ov_coco["annotations"])} base boxes, '
          f'{len(ov_coco["categories"])} categories')


if __name__ == '__main__':
    main()
