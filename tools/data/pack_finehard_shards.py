"""Pack a FineHARD annotation file and its images into WebDataset shards.

Example::

    python tools/data/pack_finehard_shards.py data/synthetic/finehard/train.json \
        data/synthetic/finehard/shards --img-root data/synthetic \
        --samples-per-shard 1000

Stream them with ``FineHARDWebDataset(shards='.../finehard-*.tar')``.
"""
import argparse

from fgclip_det.datasets.webdataset_shards import write_finehard_shards


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write WebDataset tar shards (image bytes + JSON record '
        'per sample) from a FineHARD annotation file.')
    parser.add_argument('ann_file', help='FineHARD JSON list or JSON lines')
    parser.add_argument('out_dir', help='folder for the shards')
    parser.add_argument(
        '--img-root',
        default='',
        help='folder the record image paths are relative to')
    parser.add_argument(
        '--samples-per-shard',
        type=int,
        default=1000,
        help='samples in each shard')
    parser.add_argument(
        '--prefix', default='finehard', help='shard file name prefix')
    parser.add_argument(
        '--path-key', default='img_path', help='record key of the image path')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    summary = write_finehard_shards(
        args.ann_file,
        args.out_dir,
        img_root=args.img_root,
        samples_per_shard=args.samples_per_shard,
        prefix=args.prefix,
        path_key=args.path_key,
        progress=True)
    print(f"wrote {summary['num_samples']} samples in "
          f"{len(summary['shards'])} shards to {args.out_dir}; "
          f"{summary['num_missing']} records without an image and "
          f"{summary['num_skipped']} invalid records left out")
    if summary['num_skipped']:
        print(summary['skips'].describe())


if __name__ == '__main__':
    main()
