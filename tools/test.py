"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``."""
import argparse
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import Config, DictAction

from fgclip_det.utils.tool_cli import add_launcher_arguments
from fgclip_det.visualization import max_boxes_arg, relative_score_thr_arg

NO_CHECKPOINT = 'none'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
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
        '--max-boxes', type=max_boxes_arg, metavar='K',
        help='with --show/--show-dir: draw at most the K highest-scoring '
        'boxes an image (default: no limit)')
    parser.add_argument(
        '--relative-score-thr', type=relative_score_thr_arg, metavar='R',
        help='with --show/--show-dir: draw boxes scoring at least R (in '
        "[0, 1]) times the image's best score (default: 0)")
    parser.add_argument(
        '--score-thr', type=float,
        help='with --show/--show-dir: draw boxes scoring at least this '
        "(default: the config's visualization hook's, 0.3)")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value pairs (xxx=yyy)')
    add_launcher_arguments(parser)
    args = parser.parse_args(argv)
    drawing = (args.max_boxes, args.relative_score_thr, args.score_thr)
    if not (args.show or args.show_dir) and any(v is not None for v in drawing):
        parser.error('--max-boxes, --relative-score-thr and --score-thr need '
                     '--show or --show-dir')
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_config(args: argparse.Namespace) -> Config:
    """The config file with the command line's choices applied."""
    from fgclip_det.engine import apply_show_args

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
    apply_show_args(cfg, show=args.show, show_dir=args.show_dir,
                    wait_time=args.wait_time, max_boxes=args.max_boxes,
                    relative_score_thr=args.relative_score_thr,
                    score_thr=args.score_thr)
    return cfg


def main() -> None:
    args = parse_args()
    from fgclip_det.utils.worker_lifetime import bind_run_to_launcher

    bind_run_to_launcher(args.launcher)
    cfg = load_config(args)
    from fgclip_det.engine import build_runner, prepare_distributed

    prepare_distributed(cfg, args.launcher)
    runner = build_runner(cfg)
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
