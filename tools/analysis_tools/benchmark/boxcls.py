"""``boxcls``: region embeddings by RoIAlign on the dense map vs by crops."""
import argparse
from typing import List, Tuple

import torch
from torch import Tensor

from fgclip_det.models.evaluators.region_features import encode_box_regions

from .runtime import add_model_arguments, autocast, build_clip, model_image_size
from .timing import measure, peak_memory

HELP = 'boxes/s of RoI mode (dense map + RoIAlign) vs crop mode'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``boxcls``."""
    add_model_arguments(parser, batch_size=1, batch_help='images a call')
    parser.add_argument('--num-boxes', type=int, default=16, help='boxes an image')


def random_boxes(num_images: int, num_boxes: int, size: int,
                 device: torch.device, seed: int = 0) -> List[Tensor]:
    """Per image ``(num_boxes, 4)`` pixel xyxy boxes, sides 10-60% of ``size``."""
    generator = torch.Generator().manual_seed(seed)
    boxes = []
    for _ in range(num_images):
        wh = size * (0.1 + 0.5 * torch.rand(num_boxes, 2, generator=generator))
        xy = (size - wh) * torch.rand(num_boxes, 2, generator=generator)
        boxes.append(torch.cat([xy, xy + wh], dim=1).to(device))
    return boxes


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure ``encode_box_regions`` in ``'roi'`` and ``'crop'`` mode.

    RoI mode encodes each image once (dense map) and pools every box; crop
    mode crops each box, resizes it to the model's input size and encodes
    it as an image (the box-classification evaluator's two modes).

    Returns:
        tuple[dict, dict]: Settings and figures: ``roi``, ``crop`` (see
        :meth:`Timing.summary`, with ``boxes_per_s``), ``roi_speedup``
        (median crop / RoI time) and ``memory``.
    """
    clip = build_clip(args.model, device)
    size = args.image_size or model_image_size(clip)
    crop_size = model_image_size(clip)
    images = torch.randn(args.batch_size, 3, size, size, device=device)
    boxes = random_boxes(args.batch_size, args.num_boxes, size, device)
    num_boxes = args.batch_size * args.num_boxes
    figures, medians = {}, {}
    with torch.no_grad(), autocast(device, args.amp), peak_memory(device) as memory:
        for mode in ('roi', 'crop'):
            timing = measure(
                lambda mode=mode: encode_box_regions(
                    clip, images, boxes, mode, crop_size=crop_size),
                warmup=args.warmup, runs=args.runs, device=device)
            figures[mode] = timing.summary(num_boxes, 'boxes_per_s')
            medians[mode] = timing.median
    figures['roi_speedup'] = medians['crop'] / medians['roi']
    figures['memory'] = memory
    settings = dict(model=args.model, image_size=size, crop_size=crop_size,
                    batch_size=args.batch_size, num_boxes=args.num_boxes)
    return settings, figures
