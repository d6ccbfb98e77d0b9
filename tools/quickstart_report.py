"""Print (and write) the quickstart's figures against its targets.

A run is a folder with the work dirs of its ``tools/test.py`` runs:
``clip/`` (the pretraining config's validation), ``box_cls/``, ``fgovd/``,
``detector/`` and ``detector_no_ensemble/``, each optional; the newest
``<timestamp>/<timestamp>.json`` of each is read. One table has a row per
figure and a column per run (ablations side by side), then the target and,
for the checked run, whether it is met. ``--hard-negative-ablation`` names
the column trained without the hard-negative loss, which adds the checked
run's hard-negative top-1 gain over it (target >= 10 points). ``--strict``
exits 1 when a target is missed.

Examples::

    # what tools/quickstart.sh runs
    python tools/quickstart_report.py --run FG-CLIP=work_dirs/quickstart \
        --wall-seconds 640 --out work_dirs/quickstart/results.md
    # what tools/quickstart_ablations.sh runs
    python tools/quickstart_report.py --run FG-CLIP=work_dirs/quickstart \
        --run 'stage 1 only=work_dirs/quickstart_ablations/stage1' \
        --run 'no hard negatives=work_dirs/quickstart_ablations/no_hard_negative' \
        --hard-negative-ablation 'no hard negatives'
"""
import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional


@dataclass(frozen=True)
class Figure:
    """One reported figure: where it is read and what it must reach."""

    label: str
    source: str  # the argument naming the work dir
    key: str  # the metric's name in the json
    target: Optional[float]  # None: reported, not a target
    scale: float = 1.0  # to percent: COCO-style metrics are fractions


HARD_NEGATIVE_TOP1 = 'hard-negative top-1, val regions (%)'
FIGURES = (
    Figure('RoI box classification top-1, 8 shape names (%)', 'box_cls',
           'box_cls/top1', 80.0),
    Figure('  on the novel shapes (%)', 'box_cls', 'box_cls/top1_novel', 70.0),
    Figure('  on the base shapes (%)', 'box_cls', 'box_cls/top1_other', None),
    Figure('synthetic FG-OVD hard (%)', 'fgovd', 'fgovd/hard', 60.0),
    Figure('synthetic FG-OVD medium / easy / trivial (%)', 'fgovd',
           'fgovd/medium', None),
    Figure(HARD_NEGATIVE_TOP1, 'clip',
           'fg_ranking/hard_negative_top1', 70.0),
    Figure('F-ViT AP50 novel', 'detector', 'coco/bbox_AP50_novel', 30.0, 100.0),
    Figure('F-ViT AP50 base', 'detector', 'coco/bbox_AP50_base', 60.0, 100.0),
    Figure('F-ViT AP50 novel, CLIP ensemble off', 'detector_no_ensemble',
           'coco/bbox_AP50_novel', None, 100.0),
    Figure('F-ViT AP50 base, CLIP ensemble off', 'detector_no_ensemble',
           'coco/bbox_AP50_base', None, 100.0),
)
TARGETS = {f.label: f.target for f in FIGURES if f.target is not None}
ENSEMBLE_GAIN = 'CLIP ensemble gain in AP50 novel'
HARD_NEGATIVE_GAIN = 'hard-negative top-1 gain over its ablation (points)'
HARD_NEGATIVE_GAIN_POINTS = 10.0
WALL_TIME = 'quickstart wall time (min)'
QUICKSTART_MINUTES = 12.0


def latest_metrics(work_dir: str) -> dict:
    """The metrics of the newest ``tools/test.py`` run in ``work_dir``.

    Raises:
        FileNotFoundError: When ``work_dir`` holds no ``*/*.json``.
    """
    files = sorted(Path(work_dir).glob('*/*.json'),
                   key=lambda p: p.stat().st_mtime)
    if not files:
        raise FileNotFoundError(
            f'no test metrics (<timestamp>/<timestamp>.json) in {work_dir}: '
            'run tools/test.py with --work-dir there first')
    lines = files[-1].read_text().strip().splitlines()
    return json.loads(lines[-1])


def _value(metrics: dict, key: str, path: str) -> float:
    if key not in metrics:
        raise KeyError(f'{path} has no metric {key!r}; it has '
                       f'{sorted(metrics)}')
    return float(metrics[key])


def run_figures(root: str) -> dict:
    """Every figure found under one run's ``root`` (its step work dirs)."""
    values: dict = {}
    cache: dict = {}
    for figure in FIGURES:
        path = Path(root) / figure.source
        if not path.is_dir():
            continue
        if path not in cache:  # one read per step folder
            cache[path] = latest_metrics(str(path))
        metrics = cache[path]
        values[figure.label] = figure.scale * _value(metrics, figure.key,
                                                     str(path))
        if figure.key == 'fgovd/medium':
            values[figure.label] = tuple(
                _value(metrics, f'fgovd/{name}', str(path))
                for name in ('medium', 'easy', 'trivial'))
    novel_on = values.get('F-ViT AP50 novel')
    novel_off = values.get('F-ViT AP50 novel, CLIP ensemble off')
    if novel_on is not None and novel_off is not None:
        values[ENSEMBLE_GAIN] = novel_on - novel_off
    return values


def _format(value) -> str:
    if value is None:
        return ''
    if isinstance(value, tuple):
        return ' / '.join(f'{v:.1f}' for v in value)
    return f'{value:.1f}'


def _meets(label: str, value) -> Optional[bool]:
    """Whether ``value`` meets the target of ``label``; None: no target."""
    if value is None:
        return None
    if label == ENSEMBLE_GAIN:
        return value > 0
    if label == HARD_NEGATIVE_GAIN:
        return value >= HARD_NEGATIVE_GAIN_POINTS
    target = TARGETS.get(label)
    if target is None:
        return None
    return not math.isnan(value) and value >= target


def target_text(label: str) -> str:
    """The target of a figure as written in the table."""
    if label == ENSEMBLE_GAIN:
        return '> 0'
    if label == HARD_NEGATIVE_GAIN:
        return f'>= {HARD_NEGATIVE_GAIN_POINTS:g}'
    if label == WALL_TIME:
        return f'<= {QUICKSTART_MINUTES:g}'
    return f'>= {TARGETS[label]:g}' if label in TARGETS else ''


def markdown_table(runs: dict, check: Optional[str] = None) -> tuple:
    """One table: a row per figure, a column per run, then the target and
    (for the ``check`` run) whether it is met.

    Returns:
        tuple[str, list[str]]: The table and the labels of missed targets.
    """
    labels = [f.label for f in FIGURES] + [ENSEMBLE_GAIN, HARD_NEGATIVE_GAIN,
                                           WALL_TIME]
    labels = [label for label in labels
              if any(label in values for values in runs.values())]
    header = ['figure', *runs, 'target']
    if check is not None:
        header.append('met')
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + ' --- |' * len(header)]
    missed = []
    for label in labels:
        cells = [label.strip(), *(_format(values.get(label))
                                  for values in runs.values()),
                 target_text(label)]
        if check is not None:
            value = runs[check].get(label)
            ok = (value <= QUICKSTART_MINUTES if label == WALL_TIME
                  and value is not None else _meets(label, value))
            cells.append('' if ok is None else ('yes' if ok else 'NO'))
            if ok is False:
                missed.append(label.strip())
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines), missed


def parse_args(argv: Optional[list] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The quickstart's figures against its targets.")
    parser.add_argument(
        '--run',
        action='append',
        required=True,
        metavar='NAME=DIR',
        help='a column: the folder holding the step work dirs of one run '
        '(clip/, box_cls/, fgovd/, detector/, detector_no_ensemble/, each '
        'optional); repeat for ablations')
    parser.add_argument(
        '--check',
        metavar='NAME',
        help='the run whose figures are checked against the targets '
        '(default: the first)')
    parser.add_argument(
        '--hard-negative-ablation',
        metavar='NAME',
        help='the run trained without the hard-negative loss: adds the '
        "checked run's hard-negative top-1 gain over it")
    parser.add_argument('--wall-seconds', type=float,
                        help='wall time of the checked run')
    parser.add_argument('--out', help='also write the table (markdown) here')
    parser.add_argument('--strict', action='store_true',
                        help='exit 1 when a target is missed')
    args = parser.parse_args(argv)
    runs = {}
    for item in args.run:
        name, sep, root = item.partition('=')
        if not sep or not name or not root:
            parser.error(f'--run takes NAME=DIR, got {item!r}')
        if not Path(root).is_dir():
            parser.error(f'--run {name}: {root} is not a folder')
        runs[name] = root
    args.runs = runs
    args.check = args.check or next(iter(runs))
    if args.check not in runs:
        parser.error(f'--check {args.check!r} names no --run; runs: '
                     f'{sorted(runs)}')
    ablation = args.hard_negative_ablation
    if ablation is not None and ablation not in runs:
        parser.error(f'--hard-negative-ablation {ablation!r} names no --run; '
                     f'runs: {sorted(runs)}')
    return args


def hard_negative_gain(checked: dict, ablation: dict, name: str) -> float:
    """The checked run's hard-negative top-1 minus the ablation's.

    Raises:
        KeyError: When either run has no hard-negative top-1 (no ``clip/``).
    """
    for values, run in ((checked, 'the checked run'), (ablation, name)):
        if HARD_NEGATIVE_TOP1 not in values:
            raise KeyError(f'{run} has no {HARD_NEGATIVE_TOP1!r}: its clip/ '
                           'test run is missing')
    return checked[HARD_NEGATIVE_TOP1] - ablation[HARD_NEGATIVE_TOP1]


def main(argv: Optional[list] = None,
         echo: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    runs = {name: run_figures(root) for name, root in args.runs.items()}
    if args.wall_seconds is not None:
        runs[args.check][WALL_TIME] = args.wall_seconds / 60
    if args.hard_negative_ablation is not None:
        runs[args.check][HARD_NEGATIVE_GAIN] = hard_negative_gain(
            runs[args.check], runs[args.hard_negative_ablation],
            args.hard_negative_ablation)
    table, missed = markdown_table(runs, check=args.check)
    echo(table)
    if args.out:
        Path(args.out).write_text(table + '\n')
    if missed:
        echo(f'targets missed: {"; ".join(missed)}')
    return 1 if args.strict and missed else 0


if __name__ == '__main__':
    sys.exit(main())
