"""Command line of ``tools/benchmark.py``: one subcommand a benchmark."""
import argparse
import json
import sys
from typing import List, Optional

import torch

from . import boxcls, dataload, detect, encode, fastpaths, pretrain, syncs
from .report import append_record, load_average, make_record
from .runtime import DEVICES, resolve_device

#: Subcommand name -> module with ``HELP``, ``add_arguments`` and ``run``.
SUBCOMMANDS = dict(encode=encode, boxcls=boxcls, detect=detect, pretrain=pretrain,
                   fastpaths=fastpaths, dataload=dataload, syncs=syncs)


def build_parser() -> argparse.ArgumentParser:
    """The parser: common options on every subcommand."""
    parser = argparse.ArgumentParser(
        description='Measure FG-CLIP and F-ViT speed and memory (random weights).')
    subparsers = parser.add_subparsers(dest='benchmark', required=True)
    for name, module in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.add_argument('--device', choices=DEVICES, default='cpu')
        sub.add_argument('--amp', action='store_true',
                         help='bf16 autocast (on the CPU: fast only with '
                         'native bf16, see cpu_bf16 in the record)')
        sub.add_argument('--warmup', type=int, default=2, help='untimed runs first')
        sub.add_argument('--runs', type=int, default=10, help='timed runs')
        sub.add_argument('--threads', type=int,
                         help="torch CPU threads (default: torch's choice)")
        sub.add_argument('--out', help='append the record to this JSON list')
    return parser


def main(argv: Optional[List[str]] = None) -> dict:
    """Run one benchmark, print its record, append it to ``--out``.

    Returns:
        dict: The record (see :func:`.report.make_record`).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device, args.amp)
    except ValueError as error:
        parser.error(str(error))
    if args.threads:
        torch.set_num_threads(args.threads)
    load_before = load_average()
    settings, figures = SUBCOMMANDS[args.benchmark].run(args, device)
    settings.update(device=args.device, amp=args.amp, warmup=args.warmup,
                    runs=args.runs)
    command = sys.argv if argv is None else ['tools/benchmark.py', *argv]
    record = make_record(args.benchmark, settings, figures, device, load_before,
                         command)
    print(json.dumps(record, indent=2))
    if args.out:
        append_record(args.out, record)
    return record
