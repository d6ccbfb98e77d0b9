"""Plot loss / metric curves of MMEngine json logs, or time the iterations.

Reads ``<work_dir>/<timestamp>/vis_data/scalars.json`` (or the
``<timestamp>.json`` beside it: the same lines), one JSON object a line:
training lines carry ``iter`` (and ``epoch`` when training by epoch) and
are plotted against ``step``, the iteration; validation lines carry only
``step``: the epoch when training by epoch, else the iteration.

    python tools/analysis_tools/analyze_logs.py plot_curve \
        work_dirs/RUN/TIMESTAMP/vis_data/scalars.json \
        --keys loss loss_region fg_ranking/hard_negative_top1 --out curve.png
    python tools/analysis_tools/analyze_logs.py cal_train_time \
        work_dirs/RUN/TIMESTAMP/vis_data/scalars.json
"""
import argparse
import json
from typing import Dict, List, Tuple

#: Key of the training lines only (the global iteration).
TRAIN_KEY = 'iter'


def load_log(path: str) -> Tuple[List[dict], List[dict]]:
    """The training and the validation lines of a json log.

    Raises:
        ValueError: A line that is not a JSON object, or a line without
            ``step``, naming the file and line; a file without lines.
    """
    train, val = [], []
    with open(path, encoding='utf-8') as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}:{number}: not JSON ({err}); give '
                                 'the vis_data/scalars.json of a run') from err
            if not isinstance(entry, dict) or 'step' not in entry:
                raise ValueError(f'{path}:{number}: expected a JSON object '
                                 f'with a "step" key, got {line.strip()[:80]}')
            (train if TRAIN_KEY in entry else val).append(entry)
    if not train and not val:
        raise ValueError(f'{path}: no log lines')
    return train, val


def series(path: str, train: List[dict], val: List[dict], key: str
           ) -> Tuple[List[float], List[float], str]:
    """``(x, y, x label)`` of ``key``: training lines first, else
    validation lines."""
    for entries, is_train in ((train, True), (val, False)):
        points = [(e['step'], e[key]) for e in entries if key in e]
        if points:
            by_epoch = any('epoch' in e for e in train)
            label = 'iteration' if is_train or not by_epoch else 'epoch'
            xs, ys = zip(*points)
            return list(xs), list(ys), label
    keys = sorted({k for e in train + val for k in e} - {'step'})
    raise KeyError(f'{path} has no "{key}"; its keys: {", ".join(keys)}')


def plot_curve(args: argparse.Namespace) -> None:
    """One panel per key, one line per log, saved to ``args.out``."""
    import matplotlib
    if args.out is not None:
        matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    logs = [(path, *load_log(path)) for path in args.json_logs]
    legend = args.legend or args.json_logs
    if len(legend) != len(logs):
        raise ValueError(f'--legend needs {len(logs)} names (one a log), '
                         f'got {len(legend)}')
    width, height = args.panel_size
    fig, axes = plt.subplots(len(args.keys), 1, squeeze=False,
                             figsize=(width, height * len(args.keys)),
                             dpi=args.dpi)
    for ax, key in zip(axes[:, 0], args.keys):
        for name, (path, train, val) in zip(legend, logs):
            xs, ys, label = series(path, train, val, key)
            marker = 'o' if len(xs) < 20 else None
            ax.plot(xs, ys, label=name, marker=marker, linewidth=1)
            ax.set_xlabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        if len(logs) > 1:
            ax.legend()
    if args.title:
        axes[0, 0].set_title(args.title)
    fig.tight_layout()
    if args.out is None:
        plt.show()
    else:
        fig.savefig(args.out)
        print(f'saved {args.out}')


def cal_train_time(args: argparse.Namespace) -> None:
    """Print the slowest, fastest and mean seconds an iteration by epoch."""
    import numpy as np

    for path in args.json_logs:
        train, _ = load_log(path)
        epochs: Dict[int, List[float]] = {}
        for entry in train:
            if 'time' in entry:
                epochs.setdefault(entry.get('epoch', 1), []).append(
                    entry['time'])
        if not args.include_outliers:
            # the first logged window of an epoch holds its dataloader start
            epochs = {e: t[1:] for e, t in epochs.items() if len(t) > 1}
        if not epochs:
            raise ValueError(
                f'{path}: too few training lines with "time" (lower '
                'default_hooks.logger.interval, or pass --include-outliers)')
        means = {epoch: float(np.mean(times))
                 for epoch, times in epochs.items()}
        slowest = max(means, key=means.get)
        fastest = min(means, key=means.get)
        print(f'----- train time of {path} -----')
        print(f'slowest epoch {slowest}: {means[slowest]:.4f} s/iter')
        print(f'fastest epoch {fastest}: {means[fastest]:.4f} s/iter')
        print(f'std over epochs: {np.std(list(means.values())):.4f} s/iter')
        print(f'average: {np.mean(list(means.values())):.4f} s/iter')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Analyze MMEngine json logs')
    tasks = parser.add_subparsers(dest='task', required=True)
    plot = tasks.add_parser('plot_curve', help='plot curves to a PNG')
    plot.add_argument('json_logs', nargs='+',
                      help='vis_data/scalars.json (or <timestamp>.json) logs')
    plot.add_argument('--keys', nargs='+', default=['loss'],
                      help='logged keys, one panel each (default: loss); '
                      'metrics by their logged name, e.g. coco/bbox_mAP')
    plot.add_argument('--legend', nargs='+', help='a name per log')
    plot.add_argument('--title', help='title above the first panel')
    plot.add_argument('--panel-size', nargs=2, type=float, default=(6, 2.5),
                      metavar=('W', 'H'), help='inches a panel (default 6 2.5)')
    plot.add_argument('--dpi', type=int, default=100,
                      help='pixels an inch (default 100)')
    plot.add_argument('--out', help='PNG to save (default: show)')
    timing = tasks.add_parser('cal_train_time',
                              help='seconds a training iteration')
    timing.add_argument('json_logs', nargs='+', help='json logs')
    timing.add_argument('--include-outliers', action='store_true',
                        help='keep the first logged time of every epoch')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.task == 'plot_curve':
        plot_curve(args)
    else:
        cal_train_time(args)


if __name__ == '__main__':
    main()
