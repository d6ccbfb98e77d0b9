"""Make the OV-LVIS training file (no rare-class annotations) from LVIS v1.

Example::

    python tools/data/make_ov_lvis.py \
        data/lvis_v1/annotations/lvis_v1_train.json \
        data/lvis_v1/annotations/lvis_v1_train_norare.json

Validation uses the standard ``lvis_v1_val.json``.
"""
import argparse
import json

from fgclip_det.datasets.ov_lvis import RARE_FREQUENCY, drop_rare_lvis


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Drop the annotations of the rare (novel) classes from an '
        'LVIS v1 train file.')
    parser.add_argument('src', help='LVIS v1 json, e.g. lvis_v1_train.json')
    parser.add_argument('dst', help='output json')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    with open(args.src, encoding='utf-8') as f:
        lvis = json.load(f)
    ov_lvis = drop_rare_lvis(lvis)
    with open(args.dst, 'w', encoding='utf-8') as f:
        json.dump(ov_lvis, f)
    num_rare = sum(c['frequency'] == RARE_FREQUENCY for c in lvis['categories'])
    print(f'{args.dst}: {len(ov_lvis["annotations"])} of '
          f'{len(lvis["annotations"])} annotations kept; {num_rare} rare '
          'classes have none')


if __name__ == '__main__':
    main()
