"""``detect``: F-ViT inference speed with and without the CLIP ensemble."""
import argparse
import copy
from typing import Optional, Tuple

import torch
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config, ConfigDict
from mmengine.model import revert_sync_batchnorm
from torch import nn

from fgclip_det.models.clip.open_clip_factory import resolve_model_cfg
from fgclip_det.registry import MODELS
from fgclip_det.utils.tool_cli import load_config

from .detect_stages import breakdown
from .flops import matmul_peak_gflops
from .runtime import (
    add_config_arguments,
    add_input_arguments,
    autocast,
    drop_pretrained,
)
from .timing import measure, peak_memory

HELP = 'F-ViT images/s and latency, with / without the CLIP ensemble, vs backbone'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``detect``."""
    parser.add_argument('config', help="detector config file or shipped name "
                        "('fvit/xxx.py')")
    add_input_arguments(parser, batch_size=1, batch_help='images a call',
                        size_default="the config's image_size")
    add_config_arguments(
        parser, example='model.backbone.attention_fast_path=on',
        stages='backbone, neck, RPN, RoI head, NMS; training forward and backward')


def random_weights_cfg(model_cfg: ConfigDict, embeddings: torch.Tensor) -> ConfigDict:
    """The detector config with random weights and no fixed-size padding.

    No CLIP checkpoint, the given class embeddings instead of the file, and
    no ``batch_augments`` (the configs pad to the training size; without it
    inputs are padded to ``pad_size_divisor`` only).
    """
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.backbone.clip_checkpoint = None
    drop_pretrained(model_cfg.backbone.clip)
    model_cfg.data_preprocessor.batch_augments = None
    model_cfg.roi_head.bbox_head.cls_predictor_cfg.embeddings = embeddings
    return model_cfg


def benchmark_model_cfg(cfg: Config, image_size: Optional[int]
                        ) -> Tuple[ConfigDict, Tuple[int, int]]:
    """The config's detector with random weights, and the input ``(H, W)``.

    Args:
        cfg (Config): A detector config.
        image_size (int, optional): Square input side; defaults to the
            config's ``image_size`` (an int or ``(H, W)``).

    Returns:
        tuple: :func:`random_weights_cfg` of the model with seeded random
        class embeddings, and ``(height, width)``.
    """
    size = image_size or cfg.get('image_size', None)
    if size is None:
        raise ValueError(f'{cfg.filename} has no image_size; pass --image-size')
    height, width = (size, size) if isinstance(size, int) else size
    clip_cfg = cfg.model.backbone.clip
    embed_dim = resolve_model_cfg(clip_cfg.get('model_name'),
                                  clip_cfg.get('model_cfg'))['embed_dim']
    num_classes = cfg.model.roi_head.bbox_head.num_classes
    generator = torch.Generator().manual_seed(0)
    embeddings = torch.randn(num_classes, embed_dim, generator=generator)
    return random_weights_cfg(cfg.model, embeddings), (height, width)


def build_detector(model_cfg: ConfigDict, device: torch.device) -> nn.Module:
    """Build on ``device`` in eval mode, SyncBN replaced by BatchNorm."""
    return revert_sync_batchnorm(MODELS.build(model_cfg)).to(device).eval()


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure ``test_step`` (preprocessing, backbone, RPN, RoI head, NMS).

    With the ensemble as configured, then with ``clip_roi_extractor=None``
    (same weights), then the backbone alone on the preprocessed batch.

    Returns:
        tuple[dict, dict]: Settings and figures: ``with_ensemble`` (when
        the config has one), ``without_ensemble``, ``backbone`` (see
        :meth:`Timing.summary`, with ``images_per_s``), ``overhead_ratio``
        (median detector / backbone time, per variant) and ``memory``; with
        ``--breakdown`` also ``matmul_peak_gflops_per_s`` and ``stages``
        (:func:`.detect_stages.breakdown`, with the ensemble as configured).
    """
    cfg = load_config(args.config, args.cfg_options)
    model_cfg, (height, width) = benchmark_model_cfg(cfg, args.image_size)
    num_classes = model_cfg.roi_head.bbox_head.num_classes
    variants = {}
    if model_cfg.roi_head.get('clip_roi_extractor') is not None:
        variants['with_ensemble'] = model_cfg
    variants['without_ensemble'] = copy.deepcopy(model_cfg)
    variants['without_ensemble'].roi_head.clip_roi_extractor = None

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        models = {name: build_detector(c, device) for name, c in variants.items()}
    first, *others = models.values()
    for model in others:
        model.load_state_dict(first.state_dict())
    packed = demo_mm_inputs(batch_size=args.batch_size,
                            image_shapes=[(3, height, width)] * args.batch_size,
                            num_classes=num_classes,
                            with_mask=first.with_mask)
    figures, medians = {}, {}
    with torch.no_grad(), autocast(device, args.amp), peak_memory(device) as memory:
        inputs = first.data_preprocessor(packed, False)['inputs']
        workloads = {name: (lambda m=model: m.test_step(packed))
                     for name, model in models.items()}
        workloads['backbone'] = lambda: first.backbone(inputs)
        for name, fn in workloads.items():
            timing = measure(fn, warmup=args.warmup, runs=args.runs, device=device)
            figures[name] = timing.summary(args.batch_size, 'images_per_s')
            medians[name] = timing.median
    figures['overhead_ratio'] = {name: medians[name] / medians['backbone']
                                 for name in models}
    figures['memory'] = memory
    if args.breakdown:
        dtype = torch.bfloat16 if args.amp else torch.float32
        figures['matmul_peak_gflops_per_s'] = matmul_peak_gflops(device, dtype)
        with autocast(device, args.amp):
            figures['stages'] = breakdown(
                first, packed, device, warmup=args.warmup, runs=args.runs,
                peak_gflops=figures['matmul_peak_gflops_per_s'])
    settings = dict(
        config=args.config, cfg_options=args.cfg_options,
        image_size=[height, width],
        padded_size=list(inputs.shape[-2:]), batch_size=args.batch_size,
        rpn_proposals=cfg.model.test_cfg.rpn.max_per_img,
        max_detections=cfg.model.test_cfg.rcnn.max_per_img)
    return settings, figures
