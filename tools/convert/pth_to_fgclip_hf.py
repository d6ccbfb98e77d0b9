"""Export a toolkit FG-CLIP ``.pth`` to the released HuggingFace layout.

    python tools/convert/pth_to_fgclip_hf.py fgclip_vitb16.pth out_dir/

Writes ``out_dir/config.json`` and ``out_dir/model.safetensors`` with the
key names of ``qihoo360/fg-clip-*`` (transformers CLIP + FG-CLIP keys).
"""
import argparse
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='toolkit checkpoint (.pth)')
    parser.add_argument('out_dir', help='output folder')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip import FGCLIP, save_fgclip_hf

    model = FGCLIP.from_checkpoint(args.checkpoint)
    print(save_fgclip_hf(model, args.out_dir, progress=True))
    print(f'saved {args.out_dir}')


if __name__ == '__main__':
    main()
