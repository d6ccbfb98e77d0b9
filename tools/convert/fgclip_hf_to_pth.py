"""Convert a released FG-CLIP or FG-CLIP 2 checkpoint folder to a toolkit ``.pth``.

    python tools/convert/fgclip_hf_to_pth.py path/to/fg-clip-base fgclip_vitb16.pth
    python tools/convert/fgclip_hf_to_pth.py path/to/fg-clip2-base fgclip2_base.pth

The family comes from ``config.json`` (``model_type`` ``'fgclip2'``: FG-CLIP
2, ``qihoo360/fg-clip2-*``; else FG-CLIP, ``qihoo360/fg-clip-*``). The folder
needs ``config.json`` and ``model.safetensors`` (or ``pytorch_model.bin``),
and for FG-CLIP 2 ``tokenizer.json``, which the ``.pth`` then carries.
Nothing in it is executed (FG-CLIP 2's ``auto_map`` remote code is never
imported). Prints the key-by-key report; fails unless every key maps
(``--no-strict`` writes anyway).
"""
import argparse
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('hf_dir', help='released folder (config.json, the '
                        'weights; tokenizer.json for FG-CLIP 2)')
    parser.add_argument('out', help='output toolkit checkpoint (.pth)')
    parser.add_argument('--no-strict', action='store_true',
                        help='write the checkpoint even if keys are unused, '
                        'missing or mis-shaped')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip import load_fgclip_hf
    from fgclip_det.models.clip.fgclip2 import load_fgclip2_hf
    from fgclip_det.models.clip.fgclip2.hf_layout import is_fgclip2_folder

    if is_fgclip2_folder(args.hf_dir):
        load, layout = load_fgclip2_hf, 'fgclip2_hf'
    else:
        load, layout = load_fgclip_hf, 'fgclip_hf'
    model, report = load(args.hf_dir, strict=not args.no_strict, progress=True)
    print(report)
    print(f'writing {args.out}')
    model.save(args.out, meta=dict(source=args.hf_dir, source_layout=layout))
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
