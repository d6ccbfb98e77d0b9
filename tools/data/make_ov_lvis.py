"""Make the OV-LVIS training file (no rare-class annotations) from LVIS v1.

Example::

    python tools/data/make_ov_lvis.py \
        data/lvis_v1/annotations/lvis_v1_train.json \
        data/lvis_v1/annotations/lvis_v1_train_norare.json

Validation uses the standard ``lvis_v1_val.json``.
"""
from fgclip_det.datasets.json_conversion import convert_json_file, parse_src_dst_args
from fgclip_det.datasets.ov_lvis import RARE_FREQUENCY, drop_rare_lvis


def main() -> None:
    args = parse_src_dst_args(
        'Drop the annotations of the rare (novel) classes from an LVIS v1 '
        'train file.',
        src_help='LVIS v1 json, e.g. lvis_v1_train.json')
    lvis, ov_lvis = convert_json_file(args.src, args.dst, drop_rare_lvis)
    num_rare = sum(c['frequency'] == RARE_FREQUENCY for c in lvis['categories'])
    print(f'{args.dst}: {len(ov_lvis["annotations"])} of '
          f'{len(lvis["annotations"])} annotations kept; {num_rare} rare '
          'classes have none')


if __name__ == '__main__':
    main()
