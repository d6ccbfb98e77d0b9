"""Export a toolkit FG-CLIP 2 ``.pth`` to the released checkpoint layout.

    python tools/convert/pth_to_fgclip2_hf.py fgclip2_base.pth out_dir/

Writes ``out_dir/config.json`` and ``out_dir/model.safetensors`` with the
key names of ``qihoo360/fg-clip2-*``, and the tokenizer as ``tokenizer.json``
(plus its ``add_bos_token`` / ``add_eos_token`` flags as
``tokenizer_config.json``). The training-only log-scales
(``logit_scale_region``, ``logit_scale_hardneg``) are not written, as the
released files have none.
"""
import argparse
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='toolkit checkpoint (.pth) of FGCLIP2')
    parser.add_argument('out_dir', help='output folder')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip.fgclip2 import FGCLIP2, save_fgclip2_hf

    model = FGCLIP2.from_checkpoint(args.checkpoint)
    print(save_fgclip2_hf(model, args.out_dir, progress=True))
    print(f'saved {args.out_dir}')


if __name__ == '__main__':
    main()
