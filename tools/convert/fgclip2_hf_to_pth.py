"""Convert a released FG-CLIP 2 checkpoint folder to a toolkit ``.pth``.

    python tools/convert/fgclip2_hf_to_pth.py path/to/fg-clip2-base fgclip2_base.pth

The folder (``qihoo360/fg-clip2-{base,large,so400m}``) needs ``config.json``,
``model.safetensors`` and ``tokenizer.json``; nothing in it is executed (its
``auto_map`` remote code is never imported). The ``.pth`` carries the
tokenizer. Prints the key-by-key report; fails unless every key maps
(``--no-strict`` writes anyway).
"""
import argparse
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('hf_dir', help='released folder (config.json, '
                        'model.safetensors, tokenizer.json)')
    parser.add_argument('out', help='output toolkit checkpoint (.pth)')
    parser.add_argument('--no-strict', action='store_true',
                        help='write the checkpoint even if keys are unused, '
                        'missing or mis-shaped')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip.fgclip2 import load_fgclip2_hf

    model, report = load_fgclip2_hf(args.hf_dir, strict=not args.no_strict,
                                    progress=True)
    print(report)
    print(f'writing {args.out}')
    model.save(args.out, meta=dict(source=args.hf_dir, source_layout='fgclip2_hf'))
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
