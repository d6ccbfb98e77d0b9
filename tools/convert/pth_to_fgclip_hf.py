"""Export a toolkit FG-CLIP or FG-CLIP 2 ``.pth`` to the released layout.

    python tools/convert/pth_to_fgclip_hf.py fgclip_vitb16.pth out_dir/
    python tools/convert/pth_to_fgclip_hf.py fgclip2_base.pth out_dir/

The family comes from the checkpoint (``meta.model_type``). Writes
``out_dir/config.json`` and ``out_dir/model.safetensors`` with the key names
of ``qihoo360/fg-clip-*`` (transformers CLIP + FG-CLIP keys) or of
``qihoo360/fg-clip2-*``; for FG-CLIP 2 also the tokenizer as
``tokenizer.json`` (plus its ``add_bos_token`` / ``add_eos_token`` flags as
``tokenizer_config.json``), and not the training-only log-scales
(``logit_scale_region``, ``logit_scale_hardneg``), as the released files
have none.
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
    from fgclip_det.models.clip import save_fgclip_hf
    from fgclip_det.models.clip.clip_loader import load_clip_checkpoint
    from fgclip_det.models.clip.fgclip2 import FGCLIP2, save_fgclip2_hf

    model = load_clip_checkpoint(args.checkpoint)
    save = save_fgclip2_hf if isinstance(model, FGCLIP2) else save_fgclip_hf
    print(save(model, args.out_dir, progress=True))
    print(f'saved {args.out_dir}')


if __name__ == '__main__':
    main()
