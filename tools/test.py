"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``."""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

NO_CHECKPOINT = 'none'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        help="checkpoint file, or 'none' when the config itself names the "
        'weights (e.g. clip_checkpoint=... or an open_clip pretrained tag)')
    parser.add_argument(
        '--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='dump predictions to a pickle file (.pkl) for offline evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory, relative to the work dir, where images with drawn '
        'predictions are saved')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (xxx=yyy)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    from fgclip_det.utils.worker_lifetime import (
        bind_forked_children_to_parent,
        exit_with_parent,
    )

    if args.launcher == 'pytorch':
        exit_with_parent()  # a rank dies with its torchrun agent
    bind_forked_children_to_parent()  # dataloader workers die with this run
    from mmdet.engine.hooks.utils import trigger_visualization_hook

    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = (None if args.checkpoint.lower() == NO_CHECKPOINT else
                     args.checkpoint)
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    if 'runner_type' in cfg:
        # The toolkit's registry also finds its own runners (the configs'
        # CheckpointSafeRunner), and mmengine's through its parents.
        from fgclip_det.registry import RUNNERS

        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--out must end with .pkl or .pickle, got '
                             f'"{args.out}"')
        from mmdet.evaluation import DumpDetResults
        runner.test_evaluator.metrics.append(
            DumpDetResults(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    main()
