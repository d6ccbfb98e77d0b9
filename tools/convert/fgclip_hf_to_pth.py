"""Convert a released FG-CLIP checkpoint (HuggingFace layout) to a toolkit ``.pth``.

    python tools/convert/fgclip_hf_to_pth.py path/to/fg-clip-base fgclip_vitb16.pth

The folder needs ``config.json`` and ``model.safetensors`` (or
``pytorch_model.bin``); nothing in it is executed. Prints the key-by-key
report; fails unless every key maps (``--no-strict`` writes anyway).
"""
import argparse
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('hf_dir', help='folder with config.json and the weights')
    parser.add_argument('out', help='output toolkit checkpoint (.pth)')
    parser.add_argument('--no-strict', action='store_true',
                        help='write the checkpoint even if keys are unused, '
                        'missing or mis-shaped')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip import load_fgclip_hf

    model, report = load_fgclip_hf(args.hf_dir, strict=not args.no_strict,
                                   progress=True)
    print(report)
    print(f'writing {args.out}')
    model.save(args.out, meta=dict(source=args.hf_dir, source_layout='fgclip_hf'))
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
