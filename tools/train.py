"""Train a model from a config: ``python tools/train.py CONFIG [options]``."""
import argparse
import os

from mmengine.config import Config, DictAction

from fgclip_det.utils.tool_cli import add_launcher_arguments


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic mixed precision training (CUDA only; on a '
        'CPU-only machine the run falls back to fp32 with a warning)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate linearly with the actual batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or without a value from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (xxx=yyy); lists as '
        'key="[a,b]" or key=a,b; nested lists/tuples need quotes')
    add_launcher_arguments(parser)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    from fgclip_det.utils.worker_lifetime import bind_run_to_launcher

    bind_run_to_launcher(args.launcher)
    # Imported after argument parsing so that `--help` is instant.
    from fgclip_det.engine import apply_train_args, build_runner, prepare_distributed

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    apply_train_args(
        cfg,
        args.config,
        work_dir=args.work_dir,
        amp=args.amp,
        auto_scale_lr=args.auto_scale_lr,
        resume=args.resume)
    prepare_distributed(cfg, args.launcher)
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    main()
