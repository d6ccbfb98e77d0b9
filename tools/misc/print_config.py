"""Print a config with its bases merged and the command line's overrides.

    python tools/misc/print_config.py \
        configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py \
        --cfg-options train_cfg.max_epochs=1 --save-path merged.py
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

SUFFIXES = ('.py', '.json', '.yml', '.yaml')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Print the merged config')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--save-path',
                        help=f'also write it here ({", ".join(SUFFIXES)})')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs '
                        '(xxx=yyy), as tools/train.py takes them')
    args = parser.parse_args()
    if args.save_path and not args.save_path.endswith(SUFFIXES):
        parser.error(f'--save-path must end with one of {SUFFIXES}, got '
                     f'{args.save_path!r}')
    return args


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path:
        folder = osp.dirname(args.save_path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        cfg.dump(args.save_path)
        print(f'saved {args.save_path}')


if __name__ == '__main__':
    main()
