"""Download the weights of a model-index entry as a toolkit checkpoint.

    python tools/download.py --list
    python tools/download.py fgclip_vitb16-224px_upstream
    python tools/download.py fgclip_vitb16-224px_upstream \
        --out checkpoints/fgclip_vitb16.pth

Released FG-CLIP and open_clip weights are converted on download, so the
result loads with ``FGCLIP.from_checkpoint``. An interrupted or short
download resumes when run again; ``--force`` starts from zero, deleting the
output, its partial files and ``<out>.source/``. ``FGCLIP_DET_HUB_ENDPOINT``
points at a hub mirror, ``FGCLIP_DET_CACHE_DIR`` moves the cache
(``~/.cache/fgclip_det/checkpoints``).
"""
import argparse
import sys
from typing import List, Optional

from fgclip_det.apis import (
    DownloadError,
    UnknownModelError,
    download_checkpoint,
    load_model_index,
)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('name', nargs='?', help='model name of model-index.yml')
    parser.add_argument('--list', action='store_true',
                        help='list the models and whether they have weights')
    parser.add_argument('--out', help='output .pth (default: in the cache)')
    parser.add_argument('--cache-dir', help='cache directory')
    parser.add_argument('--index', help='another model-index.yml')
    parser.add_argument('--force', action='store_true',
                        help='download and convert again, deleting the '
                        'output, its partial files and <out>.source/')
    args = parser.parse_args(argv)
    if not (args.list or args.name):
        parser.error('give a model name or --list')
    return args


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.list:
        for name, entry in load_model_index(args.index).items():
            print(f'{name:50s} {entry.weights if entry.download else "config only"}')
        return
    try:
        path = download_checkpoint(args.name, args.out, cache_dir=args.cache_dir,
                                   index=args.index, force=args.force)
    except (UnknownModelError, DownloadError, ValueError) as e:
        sys.exit(f'error: {e}')
    print(path)


if __name__ == '__main__':
    main()
