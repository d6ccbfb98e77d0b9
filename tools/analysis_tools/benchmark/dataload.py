"""``dataload``: a config's data loader by worker count and pinned memory.

The loader is the config's ``{split}_dataloader`` (dataset, pipeline,
sampler, batch sampler, collate function) built by
``Runner.build_dataloader``. Without ``--data-root`` the synthetic set of
the quickstart configs (``tools/data/make_synthetic.py``) is generated into
a temporary folder first, and the config's ``data_root`` points there.

Each variant (``--workers`` x ``--pin-memory``) gets a fresh loader, with
``persistent_workers`` when it has workers. Its first batch is timed alone
(``startup_ms``: worker start-up and the first batch), ``--warmup`` more
batches are pulled untimed, then ``--runs`` timed runs pull ``--batches``
batches each, the loader restarting at the end of an epoch as a training
loop does. On ``--device cuda`` every batch is moved to the GPU
(``non_blocking`` when pinned) and each run ends with a synchronisation; on
the CPU the batches are only pulled.

Pinned memory needs CUDA: without it, ``DataLoader(pin_memory=True)`` warns
and loads unpinned, so ``pin_memory`` ``on`` variants are recorded as
skipped with the reason instead of timing the unpinned loader twice.
``--amp`` runs no model here and has no effect; the record says so.
"""
import argparse
import contextlib
import copy
import tempfile
import time
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import torch
from mmengine.model import BaseDataPreprocessor
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.registry import DATASETS
from fgclip_det.utils.tool_cli import load_config

from .timing import measure, synchronize

HELP = ("a config's data loader: samples/s and start-up by workers and "
        'pinned memory')
SPLITS = ('train', 'val', 'test')
PIN_CHOICES = ('off', 'on')
#: Train images of the generated set (the quickstart's); val gets a quarter.
SYNTHETIC_TRAIN_IMAGES = 200
AMP_NOTE = 'not applicable: data loading runs no model, so --amp has no effect'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``dataload``."""
    parser.add_argument('config', help="config file or shipped name "
                        "('quickstart/xxx.py')")
    parser.add_argument('--data-root',
                        help="the config's data_root; default: generate the "
                        'synthetic set into a temporary folder')
    parser.add_argument('--synthetic-images', type=int,
                        default=SYNTHETIC_TRAIN_IMAGES,
                        help='train images of the generated set (val: a quarter)')
    parser.add_argument('--split', choices=SPLITS, default='train',
                        help='which dataloader of the config')
    parser.add_argument('--batch-size', type=int,
                        help="samples a batch; defaults to the config's")
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2],
                        help='num_workers values to measure')
    parser.add_argument('--pin-memory', nargs='+', choices=PIN_CHOICES,
                        default=list(PIN_CHOICES), help='pin_memory values')
    parser.add_argument('--batches', type=int, default=10,
                        help='batches a timed run')
    parser.add_argument('--step-ms', type=float,
                        help='a model step (one batch) in ms, e.g. the median '
                        'of pretrain; adds loader ms a batch / step ms')


def variant_name(workers: int, pin: bool) -> str:
    """Key of a variant in the figures, e.g. ``'workers_2_pin_off'``."""
    return f'workers_{workers}_pin_{PIN_CHOICES[pin]}'


def set_data_root(dataset_cfg: dict, data_root: str) -> None:
    """Point a dataset config, and the datasets it wraps, at ``data_root``."""
    if 'data_root' in dataset_cfg:
        dataset_cfg['data_root'] = data_root
    inner = dataset_cfg.get('dataset')
    for cfg in inner if isinstance(inner, list) else [inner]:
        if isinstance(cfg, dict):
            set_data_root(cfg, data_root)
    for cfg in dataset_cfg.get('datasets', []):
        set_data_root(cfg, data_root)


def count_samples(batch: Any) -> int:
    """Samples in a collated batch (``inputs`` of a dict, else its length)."""
    if isinstance(batch, Mapping) and 'inputs' in batch:
        batch = batch['inputs']
    if isinstance(batch, torch.Tensor):
        return batch.shape[0]
    return len(batch)


def batch_mover(device: torch.device, non_blocking: bool) -> Callable[[Any], Any]:
    """Copy a batch's tensors and data elements to ``device`` as mmengine's
    data preprocessors do (``BaseDataPreprocessor.cast_data``)."""
    return BaseDataPreprocessor(non_blocking).to(device).cast_data


def pin_skip_reason(device: torch.device) -> Optional[str]:
    """Why ``pin_memory=True`` cannot be measured here, or None if it can."""
    if not torch.cuda.is_available():
        return ('no CUDA device: torch cannot pin memory without an '
                'accelerator (DataLoader(pin_memory=True) warns and loads '
                'unpinned)')
    if device.type != 'cuda':
        return ('--device cpu: batches stay on the host, so pinning copies '
                'for nothing; use --device cuda')
    return None


def endless(loader: DataLoader) -> Iterator[Any]:
    """The loader's batches, epoch after epoch (as a training loop sees them)."""
    if len(loader) == 0:
        raise ValueError('the dataloader yields no batch')
    while True:
        yield from loader


def step_ratio(ms_per_batch: float, step_ms: Optional[float]) -> Optional[float]:
    """Loader time a batch / model step time: below 1 the loader keeps up."""
    return None if step_ms is None else ms_per_batch / step_ms


def build_dataset(dataset_cfg: dict, data_root: str):
    """The dataset, fully initialised, read from ``data_root``."""
    dataset_cfg = copy.deepcopy(dataset_cfg)
    set_data_root(dataset_cfg, data_root)
    dataset = DATASETS.build(dataset_cfg)
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    return dataset


def loader_cfg(base: dict, dataset, batch_size: int, workers: int,
               pin: bool) -> dict:
    """The config's dataloader with one variant's workers and pinning."""
    cfg = {k: v for k, v in base.items() if k != 'dataset'}
    cfg.update(dataset=dataset, batch_size=batch_size, num_workers=workers,
               pin_memory=pin, persistent_workers=workers > 0)
    return cfg


def measure_variant(loader: DataLoader, pin: bool, args: argparse.Namespace,
                    device: torch.device) -> dict:
    """Start-up, then ``--runs`` timed runs of ``--batches`` batches."""
    batches = endless(loader)
    on_host = device.type == 'cpu'
    move = batch_mover(device, non_blocking=pin)

    def pull() -> int:
        batch = next(batches)
        if not on_host:
            move(batch)
        return count_samples(batch)

    start = time.perf_counter()
    pull()
    synchronize(device)
    startup_ms = 1e3 * (time.perf_counter() - start)
    for _ in range(args.warmup):
        pull()
    samples: List[int] = []
    timing = measure(lambda: samples.append(sum(pull() for _ in range(args.batches))),
                     warmup=0, runs=args.runs, device=device)
    stats = timing.summary(args.batches, 'batches_per_s')
    ms_per_batch = stats['median_ms'] / args.batches
    return dict(startup_ms=startup_ms, run=stats, samples_per_run=samples,
                samples_per_s=sum(samples) / len(samples) / timing.median,
                ms_per_batch=ms_per_batch,
                loader_step_ratio=step_ratio(ms_per_batch, args.step_ms))


def measure_variants(base: dict, dataset, batch_size: int,
                     args: argparse.Namespace,
                     device: torch.device) -> Dict[str, dict]:
    """Every ``--workers`` x ``--pin-memory`` variant, skipped ones noted.

    Args:
        base (dict): The config's dataloader.
        dataset: The built dataset, shared by the variants.
        batch_size (int): Samples a batch.
        args (argparse.Namespace): The options.
        device (torch.device): Where batches go.
    """
    skip = pin_skip_reason(device)
    variants = {}
    for workers in args.workers:
        for pin in (choice == 'on' for choice in args.pin_memory):
            name = variant_name(workers, pin)
            if pin and skip:
                variants[name] = dict(skipped=skip)
                continue
            loader = Runner.build_dataloader(
                loader_cfg(base, dataset, batch_size, workers, pin), seed=0)
            variants[name] = dict(workers=workers, pin_memory=pin,
                                  **measure_variant(loader, pin, args, device))
            del loader  # its workers stop before the next variant starts
    return variants


def speedups(variants: Dict[str, dict]) -> Tuple[Optional[str], Dict[str, float]]:
    """The first measured variant and each other's speed-up over it."""
    medians = {name: v['run']['median_ms'] for name, v in variants.items()
               if 'run' in v}
    if not medians:
        return None, {}
    baseline = next(iter(medians))
    return baseline, {name: medians[baseline] / ms for name, ms in medians.items()
                      if name != baseline}


@contextlib.contextmanager
def data_root_of(args: argparse.Namespace) -> Iterator[Tuple[str, str]]:
    """``--data-root``, or a temporary folder holding the generated set.

    Yields:
        tuple[str, str]: The data root (with a trailing ``/``) and where it
        came from.
    """
    if args.data_root:
        yield args.data_root.rstrip('/') + '/', args.data_root
        return
    num_val = max(args.synthetic_images // 4, 1)
    with tempfile.TemporaryDirectory(prefix='fgclip_det_dataload_') as root:
        generate_synthetic_dataset(root, num_train=args.synthetic_images,
                                   num_val=num_val, progress=False)
        yield root + '/', (f'generated synthetic set: {args.synthetic_images} '
                           f'train, {num_val} val images')


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure the config's dataloader for each variant.

    Returns:
        tuple[dict, dict]: Settings and figures: ``variants`` (each with
        ``startup_ms``, ``run`` (see :meth:`Timing.summary`, a run being
        ``--batches`` batches, with ``batches_per_s``), ``samples_per_run``,
        ``samples_per_s``, ``ms_per_batch`` and ``loader_step_ratio``, or
        ``skipped`` and the reason), ``baseline`` and ``speedup`` (the
        baseline's median / each variant's), and ``amp`` (a note).
    """
    if args.batches < 1 or min(args.workers) < 0:
        raise ValueError('need --batches >= 1 and --workers >= 0')
    base = load_config(args.config)[f'{args.split}_dataloader']
    batch_size = args.batch_size or base['batch_size']
    with data_root_of(args) as (data_root, source):
        dataset = build_dataset(base['dataset'], data_root)
        variants = measure_variants(base, dataset, batch_size, args, device)
    baseline, speedup = speedups(variants)
    figures = dict(variants=variants, baseline=baseline, speedup=speedup,
                   amp=AMP_NOTE)
    settings = dict(
        config=args.config, split=args.split, data=source,
        dataset_size=len(dataset),
        batch_size=batch_size,
        workers=list(args.workers), pin_memory=list(args.pin_memory),
        batches=args.batches, step_ms=args.step_ms,
        config_loader={k: base.get(k) for k in
                       ('num_workers', 'pin_memory', 'persistent_workers')},
        sampler=base['sampler']['type'],
        batch_sampler=(base.get('batch_sampler') or {}).get('type'),
        collate_fn=(base.get('collate_fn') or {}).get('type', 'pseudo_collate'))
    return settings, figures
