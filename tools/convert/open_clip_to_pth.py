"""Start an FG-CLIP from open_clip weights and save it as a toolkit ``.pth``.

    python tools/convert/open_clip_to_pth.py ViT-B-16 vitb16.pth --pretrained openai
    python tools/convert/open_clip_to_pth.py --model-cfg my_vit.json \\
        --pretrained my_open_clip_weights.pt out.pth

``--pretrained`` is an open_clip tag (downloaded into open_clip's cache) or
a local open_clip state dict. The long-text position table and projection
are initialised from the short ones; the region and hard-negative logit
scales at log(1 / 0.07).
"""
import argparse
import json
from typing import List, Optional


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('model_name', nargs='?',
                        help='open_clip architecture, e.g. ViT-B-16')
    parser.add_argument('out', help='output toolkit checkpoint (.pth)')
    parser.add_argument('--model-cfg', help='open_clip model config JSON instead '
                        'of an architecture name')
    parser.add_argument('--pretrained', required=True,
                        help='open_clip pretrained tag or weights file')
    parser.add_argument('--image-size', type=int,
                        help='train at this size (position table resized)')
    parser.add_argument('--cache-dir', help='download cache for tags')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    from fgclip_det.models.clip import FGCLIP

    model_cfg = None
    if args.model_cfg:
        with open(args.model_cfg, encoding='utf-8') as f:
            model_cfg = json.load(f)
    model = FGCLIP(args.model_name, model_cfg=model_cfg, pretrained=args.pretrained,
                   image_size=args.image_size, cache_dir=args.cache_dir)
    model.save(args.out, meta=dict(source=args.pretrained, source_layout='open_clip'))
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
