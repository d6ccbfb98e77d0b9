"""Write a tiny random FG-CLIP 2 in the released layout (the quickstart's).

    python tools/misc/make_tiny_fgclip2.py checkpoints/fgclip2-tiny

The folder has ``config.json``, ``model.safetensors`` and a word-level
``tokenizer.json`` covering the synthetic vocabulary
(:func:`fgclip_det.testing.tiny_fgclip2.write_tiny_fgclip2`), and loads as
``FGCLIP2(pretrained=OUT_DIR)``.
"""
import argparse


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output folder (created if missing)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from fgclip_det.testing.tiny_fgclip2 import write_tiny_fgclip2
    print(write_tiny_fgclip2(args.out_dir, seed=args.seed))


if __name__ == '__main__':
    main()
