"""``encode``: image and long / short text encoding throughput of FG-CLIP."""
import argparse
from typing import Tuple

import torch

from fgclip_det.models.clip import FGCLIP

from .runtime import add_model_arguments, autocast, build_clip, model_image_size
from .timing import measure, peak_memory

HELP = 'image and long vs short text encoding throughput'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``encode``."""
    add_model_arguments(parser, batch_size=8,
                        batch_help='images, and texts of each length, a call')


def random_tokens(clip: FGCLIP, batch_size: int, long: bool) -> torch.Tensor:
    """Token ids filling the whole context, end-of-text last.

    The text tower attends over every position whatever the ids, so the
    cost equals that of real captions at full length.
    """
    length = clip.tokenizer.context_length(long)
    empty = clip.tokenize('')  # start, end-of-text, padding
    eot = int(empty[0, 1])
    tokens = torch.randint(1, eot, (batch_size, length), device=empty.device)
    tokens[:, -1] = eot
    return tokens


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure ``encode_image`` and ``encode_text`` (short and long).

    Returns:
        tuple[dict, dict]: Settings and figures: ``image``, ``text_short``,
        ``text_long`` (see :meth:`Timing.summary`, with ``images_per_s`` or
        ``texts_per_s``), ``long_short_cost_ratio`` (median long / short
        time) and ``memory``.
    """
    clip = build_clip(args.model, device)
    size = args.image_size or model_image_size(clip)
    images = torch.randn(args.batch_size, 3, size, size, device=device)
    short = random_tokens(clip, args.batch_size, long=False)
    long = random_tokens(clip, args.batch_size, long=True)
    workloads = dict(
        image=(lambda: clip.encode_image(images), 'images_per_s'),
        text_short=(lambda: clip.encode_text(short), 'texts_per_s'),
        text_long=(lambda: clip.encode_text(long, long=True), 'texts_per_s'))
    figures, timings = {}, {}
    with torch.no_grad(), autocast(device, args.amp), peak_memory(device) as memory:
        for name, (fn, unit) in workloads.items():
            timings[name] = measure(fn, warmup=args.warmup, runs=args.runs,
                                    device=device)
            figures[name] = timings[name].summary(args.batch_size, unit)
    figures['long_short_cost_ratio'] = (timings['text_long'].median
                                        / timings['text_short'].median)
    figures['memory'] = memory
    settings = dict(model=args.model, image_size=size,
                    model_image_size=model_image_size(clip),
                    batch_size=args.batch_size,
                    short_tokens=short.shape[1], long_tokens=long.shape[1])
    return settings, figures
