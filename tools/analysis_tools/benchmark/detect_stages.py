"""F-ViT stage by stage: ``test_step`` and a training loss forward and backward.

Inference stages: ``preprocess``, ``backbone`` (the frozen CLIP pass with
the dense map when the ensemble is on), ``neck``, ``rpn`` (head and
proposals), ``roi_head`` (RoI features, box head, CLIP ensemble, NMS) and,
inside it, ``nms``; ``test_step`` is the whole call.

Training: the outputs of the backbone and of the neck are cut from the
autograd graph (detached copies that require grad), so mmdet's own
``loss`` runs unchanged and each stage's backward runs on its own: the RPN
loss, the RoI loss, then the neck and the backbone's trainable layers with
the gradients the stage after them left on the cut. ``train_step`` is the
whole (preprocess, ``loss_forward``, ``backward``); ``loss_and_backward``
is the same step without cuts, for comparison (no optimiser step in either).
"""
from typing import Callable, Dict, List, Tuple

import torch
from mmdet.models.roi_heads.bbox_heads import bbox_head as mmdet_bbox_head
from torch import Tensor, nn

from fgclip_det.models.roi_heads import fvit_roi_head

from .stages import StageTarget, StageTimer, patched, summarise

#: Modules whose ``multiclass_nms`` the RoI heads call (with and without
#: the ensemble).
NMS_CALLERS = (fvit_roi_head, mmdet_bbox_head)
#: Stage of the backward through each cut, in the order they run.
BACKWARD_THROUGH = dict(neck='neck_backward', backbone='backbone_backward')


def test_targets(model: nn.Module) -> List[StageTarget]:
    """The inference stages of a two-stage detector as method targets."""
    return [(model.data_preprocessor, 'forward', 'preprocess'),
            (model.backbone, 'forward', 'backbone'),
            *([(model.backbone, 'forward_with_dense', 'backbone')]
              if hasattr(model.backbone, 'forward_with_dense') else []),
            (model.neck, 'forward', 'neck'),
            (model.rpn_head, 'predict', 'rpn'),
            (model.roi_head, 'predict', 'roi_head'),
            *[(caller, 'multiclass_nms', 'nms') for caller in NMS_CALLERS]]


def test_breakdown(model: nn.Module, packed: dict, timer: StageTimer) -> None:
    """One ``test_step`` timed by stage."""
    with torch.no_grad(), timer.wrapping(test_targets(model)), \
            timer.stage('test_step'):
        model.test_step(packed)


def _cut(outputs: Tuple[Tensor, ...], cuts: List[Tuple[tuple, tuple]]
         ) -> Tuple[Tensor, ...]:
    """Detached copies of ``outputs`` (requiring grad where they did)."""
    leaves = tuple(o.detach().requires_grad_(o.requires_grad) for o in outputs)
    cuts.append((tuple(outputs), leaves))
    return leaves


def _cutting(fn: Callable, cuts: List[Tuple[tuple, tuple]]) -> Callable:
    return lambda *args, **kwargs: _cut(fn(*args, **kwargs), cuts)


def _backward_through(cut: Tuple[tuple, tuple]) -> None:
    """Backpropagate the gradients left on a cut's leaves into its outputs."""
    pairs = [(out, leaf.grad) for out, leaf in zip(*cut)
             if out.requires_grad and leaf.grad is not None]
    if pairs:
        torch.autograd.backward(*zip(*pairs))


def _split_losses(losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """The summed losses of the RPN (mmdet's ``loss_rpn_*``) and the RoI head."""
    parts = dict(rpn=[], roi_head=[])
    for name, value in losses.items():
        if 'loss' not in name:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        parts['rpn' if name.startswith('loss_rpn') else 'roi_head'].extend(values)
    return {part: sum(v.sum() for v in values) for part, values in parts.items()
            if values}


def train_breakdown(model: nn.Module, packed: dict, timer: StageTimer) -> None:
    """One loss forward and backward, each stage's backward on its own; the
    gradients are those of one plain backward (left on the parameters)."""
    cuts: Dict[str, List[Tuple[tuple, tuple]]] = dict(backbone=[], neck=[])
    replacements = [
        (model.backbone, 'forward', timer.timed(
            _cutting(model.backbone.forward, cuts['backbone']), 'backbone')),
        (model.neck, 'forward', timer.timed(
            _cutting(model.neck.forward, cuts['neck']), 'neck')),
        (model.rpn_head, 'loss_and_predict', timer.timed(
            model.rpn_head.loss_and_predict, 'rpn')),
        (model.roi_head, 'loss', timer.timed(model.roi_head.loss, 'roi_head')),
    ]
    with timer.stage('train_step'):
        with timer.stage('preprocess'):
            data = model.data_preprocessor(packed, True)
        with patched(replacements), timer.stage('loss_forward'):
            losses = model.loss(data['inputs'], data['data_samples'])
        with timer.stage('backward'):
            for part, loss in _split_losses(losses).items():
                with timer.stage(f'{part}_backward'):
                    loss.backward()
            for stage in ('neck', 'backbone'):
                with timer.stage(BACKWARD_THROUGH[stage]):
                    for cut in cuts[stage]:
                        _backward_through(cut)


def plain_loss_and_backward(model: nn.Module, packed: dict,
                            timer: StageTimer) -> None:
    """The same step without cuts: preprocessing, ``loss`` and one backward."""
    with timer.stage('loss_and_backward'):
        data = model.data_preprocessor(packed, True)
        losses = model.loss(data['inputs'], data['data_samples'])
        sum(_split_losses(losses).values()).backward()


def breakdown(model: nn.Module, packed: dict, device: torch.device, *,
              warmup: int, runs: int, peak_gflops: float) -> Dict[str, dict]:
    """Per-stage medians for inference and training, with FLOPs and GFLOP/s.

    Args:
        model (nn.Module): The detector (put in eval mode for inference,
            training mode for the loss, and left in eval mode).
        packed (dict): ``test_step`` / ``data_preprocessor`` input with
            ground truth (``gt_instances``).
        device (torch.device): Where the model runs.
        warmup (int): Untimed calls of each kind first.
        runs (int): Timed calls of each kind.
        peak_gflops (float): Matmul GFLOP/s of the device
            (:func:`.flops.matmul_peak_gflops`).

    Returns:
        dict: ``test`` (stages of ``test_step``) and ``train`` (forward and
        backward stages, and ``loss_and_backward`` without cuts), each stage
        ``median_ms``, ``share_of_total``, ``gflop``, ``gflops_per_s`` and
        ``fraction_of_peak``.
    """
    kinds = dict(test=(test_breakdown, False, 'test_step'),
                 train=(train_breakdown, True, 'train_step'))
    figures = {}
    for kind, (step, training, total) in kinds.items():
        model.train(training)
        timers = [StageTimer(device) for _ in range(warmup + runs)]
        counter = StageTimer(device, count_flops=True)
        for timer in [*timers, counter]:
            step(model, packed, timer)
            if training:
                plain_loss_and_backward(model, packed, timer)
            model.zero_grad(set_to_none=True)
        timers = timers[warmup:]
        figures[kind] = summarise(timers, counter.flops, peak_gflops, total)
    model.eval()
    return figures
