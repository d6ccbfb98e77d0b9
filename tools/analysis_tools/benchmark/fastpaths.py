"""``fastpaths``: each inference fast path of the code, measured on and off.

Four sections (``--sections``), each timed before (fast path off) and after
(fast path on, as the code ships). ``speedup`` is always the median time
before divided by the median time after, so above 1 means the fast path
helps.

- ``attention``: ``encode_image`` and short ``encode_text`` with open_clip's
  ``nn.MultiheadAttention`` as shipped (``default``), with its native
  fast path off (``torch.backends.mha.set_fastpath_enabled(False)``: the
  call goes through ``F.multi_head_attention_forward`` and
  ``F.scaled_dot_product_attention`` with the backend's choice), and with
  that plus ``sdpa_kernel(SDPBackend.MATH)`` (the unfused reference:
  ``softmax(q k^T) v`` with the weights materialised). One profiled call of
  each records which attention operators really ran.
- ``frozen_backbone``: ``FViTCLIPBackbone.forward`` with the ViT run
  with autograd (its parameters trainable, no ``no_grad``), as shipped
  (ViT under ``torch.no_grad``, adapters with a graph: training), and
  entirely under ``torch.inference_mode`` (testing). Besides the time, the
  activations autograd saves for backward (distinct storages seen by
  ``saved_tensors_hooks``, parameters left out) and the rise of the peak
  RSS.
- ``pos_embed_cache``: ``encode_dense`` at a non-native input size with
  the position cache of ``FGCLIP.vision_trunk`` (as shipped) and with the
  cache cleared before every call; and the position-table lookup alone
  (bicubic resize vs cache hit).
- ``text_cache``: ``ClassTextEmbeddings`` of a fixed vocabulary, first call
  (prompt ensemble through the text tower) vs later calls (cached).
- ``bf16_autocast``: ``encode_image`` and short ``encode_text`` in fp32 and
  under ``torch.autocast(dtype=torch.bfloat16)`` on the run's device, with
  the cosine similarity of each bf16 embedding to its fp32 one (the cost in
  accuracy). On the CPU the speed depends on native bf16 instructions
  (``cpu_bf16`` in the record's environment).
"""
import argparse
import contextlib
from typing import Callable, ContextManager, Dict, Iterator, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn.attention import SDPBackend, sdpa_kernel

from fgclip_det.models.backbones import FViTCLIPBackbone
from fgclip_det.models.clip.attention_fast_path import mha_fast_path
from fgclip_det.models.clip.vit_trunk import PosEmbedCache, resize_pos_embed
from fgclip_det.models.evaluators.class_text_embeddings import ClassTextEmbeddings
from fgclip_det.testing import tiny_fgclip_cfg

from .encode import random_tokens
from .runtime import (
    TINY_MODEL,
    add_model_arguments,
    autocast,
    build_clip,
    model_image_size,
)
from .timing import measure, peak_memory

HELP = 'each fast path (attention, frozen backbone, caches) timed off vs on'
SECTIONS = ('attention', 'frozen_backbone', 'pos_embed_cache', 'text_cache',
            'bf16_autocast')
_MIB = 1024 * 1024
#: Vision layers of the tiny F-ViT backbone (four levels need four blocks).
_TINY_BACKBONE_LAYERS = 4


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``fastpaths``."""
    add_model_arguments(parser, batch_size=1, batch_help='images (and texts) a call')
    parser.add_argument('--dense-size', type=int,
                        help='non-native input side of the pos_embed_cache '
                        'section; defaults to the image size + 2 patches')
    parser.add_argument('--num-classes', type=int, default=8,
                        help='vocabulary size of the text_cache section')
    parser.add_argument('--templates', default='single',
                        choices=('single', 'vild', 'imagenet'),
                        help='prompt templates of the text_cache section')
    parser.add_argument('--sections', nargs='+', choices=SECTIONS,
                        default=list(SECTIONS), help='which fast paths to measure')


def speedups(medians: Dict[str, float], after: str) -> Dict[str, float]:
    """``medians[v] / medians[after]`` for every other variant ``v``."""
    return {name: t / medians[after] for name, t in medians.items() if name != after}


def attention_variants() -> Dict[str, Callable[[], ContextManager]]:
    """Name -> context of each attention variant, the shipped one first."""
    def math():
        stack = contextlib.ExitStack()
        stack.enter_context(mha_fast_path(False))
        stack.enter_context(sdpa_kernel([SDPBackend.MATH]))
        return stack
    return dict(default=contextlib.nullcontext,
                no_mha_fastpath=lambda: mha_fast_path(False),
                sdpa_math=math)


def attention_ops(fn: Callable[[], object]) -> Dict[str, int]:
    """The attention operators one call of ``fn`` runs, with call counts."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) \
            as prof:
        fn()
    return {event.key: event.count for event in prof.key_averages()
            if 'attention' in event.key}


def _timed(fn, args, device, items, unit):
    timing = measure(fn, warmup=args.warmup, runs=args.runs, device=device)
    return timing.summary(items, unit), timing.median


def encoder_workloads(clip, images: Tensor, tokens: Tensor
                      ) -> Dict[str, Tuple[Callable[[], Tensor], str]]:
    """Name -> (call, throughput unit) of image and short-text encoding."""
    return dict(image=(lambda: clip.encode_image(images), 'images_per_s'),
                text_short=(lambda: clip.encode_text(tokens), 'texts_per_s'))


def measure_attention(clip, images: Tensor, tokens: Tensor, args,
                      device: torch.device) -> dict:
    """Image and short-text encoding under each attention variant."""
    workloads = encoder_workloads(clip, images, tokens)
    variants, medians = {}, {name: {} for name in workloads}
    for variant, context in attention_variants().items():
        figures = {}
        with context():
            for name, (fn, unit) in workloads.items():
                figures[name], medians[name][variant] = _timed(
                    fn, args, device, args.batch_size, unit)
                figures[f'{name}_attention_ops'] = attention_ops(fn)
        variants[variant] = figures
    return dict(variants=variants,
                speedup={name: speedups(m, 'default') for name, m in medians.items()})


def build_backbone(model: str, device: torch.device, seed: int = 0):
    """An ``FViTCLIPBackbone`` with seeded random weights, BN, in eval mode."""
    if model == TINY_MODEL:
        clip = tiny_fgclip_cfg()
        clip['model_cfg']['vision_cfg']['layers'] = _TINY_BACKBONE_LAYERS
        kwargs = dict(out_indices=tuple(range(_TINY_BACKBONE_LAYERS)))
    else:
        clip, kwargs = dict(type='FGCLIP', model_name=model), {}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = FViTCLIPBackbone(clip=clip, norm_cfg=dict(type='BN'), **kwargs)
    return backbone.to(device).eval()


@contextlib.contextmanager
def saved_activation_bytes(module: torch.nn.Module) -> Iterator[Dict[str, float]]:
    """Sum the storages autograd saves for backward in the block.

    Each distinct storage counts once, and the storages of ``module``'s
    parameters (saved by every linear layer, but held by the model anyway)
    not at all, so the figure is the memory of the saved activations.
    """
    params = {p.untyped_storage().data_ptr() for p in module.parameters()}
    storages: Dict[int, int] = {}
    stats: Dict[str, float] = {}

    def pack(tensor: Tensor) -> Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in params:
            storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        yield stats
    stats['saved_activations_mib'] = sum(storages.values()) / _MIB


def measure_frozen_backbone(backbone: FViTCLIPBackbone, images: Tensor, args,
                            device: torch.device) -> dict:
    """F-ViT backbone forward with autograd, under no_grad, under inference_mode.

    Measured from the least to the most memory, so each variant's rise of
    the peak RSS is its own.
    """
    run_clip = FViTCLIPBackbone._run_clip.__wrapped__  # without @no_grad

    def with_autograd():
        maps, _ = run_clip(backbone, images, False)
        return backbone._resample(maps)

    def inference():
        with torch.inference_mode():
            return backbone(images)

    workloads = dict(inference_mode=inference, no_grad=lambda: backbone(images),
                     autograd=with_autograd)
    variants, medians = {}, {}
    for name, fn in workloads.items():
        backbone.visual.requires_grad_(name == 'autograd')
        try:
            with torch.enable_grad(), peak_memory(device) as memory:
                figures, medians[name] = _timed(fn, args, device, args.batch_size,
                                                'images_per_s')
            with torch.enable_grad(), saved_activation_bytes(backbone) as saved:
                fn()
        finally:
            backbone.visual.requires_grad_(False)
        figures.update(memory=memory, **saved)
        variants[name] = figures
    saved = {name: v['saved_activations_mib'] for name, v in variants.items()}
    return dict(
        variants=variants,
        speedup=dict(no_grad=medians['autograd'] / medians['no_grad'],
                     inference_mode=medians['autograd'] / medians['inference_mode'],
                     inference_mode_vs_no_grad=(medians['no_grad']
                                                / medians['inference_mode'])),
        saved_activations_saving_mib=dict(
            no_grad=saved['autograd'] - saved['no_grad'],
            inference_mode=saved['autograd'] - saved['inference_mode']))


def measure_pos_embed_cache(clip, images: Tensor, args,
                            device: torch.device) -> dict:
    """``encode_dense`` at a non-native size, cache kept vs cleared each call."""
    def uncached():
        clip.vision_trunk.clear_cache()
        return clip.encode_dense(images)

    visual = clip.visual
    table, src = visual.positional_embedding, tuple(visual.grid_size)
    patch = visual.conv1.kernel_size
    dst = (images.shape[-2] // patch[0], images.shape[-1] // patch[1])
    cache = PosEmbedCache()
    workloads = dict(
        encode_dense_uncached=(uncached, args.batch_size, 'images_per_s'),
        encode_dense_cached=(lambda: clip.encode_dense(images), args.batch_size,
                             'images_per_s'),
        table_resize=(lambda: resize_pos_embed(table, src, dst), 1, 'tables_per_s'),
        table_cache_hit=(lambda: cache(table, src, dst), 1, 'tables_per_s'))
    figures, medians = {}, {}
    for name, (fn, items, unit) in workloads.items():
        figures[name], medians[name] = _timed(fn, args, device, items, unit)
    figures.update(
        source_grid=list(src), grid=list(dst),
        speedup=dict(
            encode_dense=medians['encode_dense_uncached']
            / medians['encode_dense_cached'],
            table=medians['table_resize'] / medians['table_cache_hit']),
        saving_ms_per_call=1e3 * (medians['encode_dense_uncached']
                                  - medians['encode_dense_cached']))
    return figures


def vocabulary(num_classes: int) -> str:
    """A comma-separated vocabulary of ``num_classes`` distinct names."""
    return ','.join(f'object number {i}' for i in range(num_classes))


def measure_text_cache(clip, args, device: torch.device) -> dict:
    """``ClassTextEmbeddings``: first call (text tower) vs a cached call."""
    spec = vocabulary(args.num_classes)
    cached = ClassTextEmbeddings(vocabulary=spec, templates=args.templates)
    cached(clip)
    workloads = dict(
        first_call=lambda: ClassTextEmbeddings(
            vocabulary=spec, templates=args.templates)(clip),
        cached_call=lambda: cached(clip))
    figures, medians = {}, {}
    for name, fn in workloads.items():
        figures[name], medians[name] = _timed(fn, args, device, 1,
                                              'vocabularies_per_s')
    figures.update(num_classes=args.num_classes, templates=args.templates,
                   speedup=medians['first_call'] / medians['cached_call'])
    return figures


def measure_bf16_autocast(clip, images: Tensor, tokens: Tensor, args,
                          device: torch.device) -> dict:
    """Image and short-text encoding in fp32 and under bf16 autocast."""
    workloads = encoder_workloads(clip, images, tokens)
    figures: dict = {}
    for name, (fn, unit) in workloads.items():
        with torch.autocast(device.type, enabled=False):
            fp32_figures, fp32_median = _timed(fn, args, device, args.batch_size,
                                               unit)
            reference = fn().float()
        with torch.autocast(device.type, dtype=torch.bfloat16):
            bf16_figures, bf16_median = _timed(fn, args, device, args.batch_size,
                                               unit)
            output = fn()
        cosine = F.cosine_similarity(output.float(), reference, dim=-1)
        figures[name] = dict(fp32=fp32_figures, bf16=bf16_figures,
                             speedup=fp32_median / bf16_median,
                             output_dtype=str(output.dtype),
                             min_cosine_to_fp32=float(cosine.min()))
    return figures


def run(args: argparse.Namespace, device: torch.device) -> Tuple[dict, dict]:
    """Measure the chosen fast paths off and on.

    Returns:
        tuple[dict, dict]: Settings and figures: one entry per section (see
        the module docstring; timings as :meth:`Timing.summary`) and
        ``memory`` (peak RSS of the whole run).
    """
    clip = build_clip(args.model, device)
    native = model_image_size(clip)
    size = args.image_size or native
    patch = clip.visual.conv1.kernel_size[0]
    dense_size = args.dense_size or size + 2 * patch
    images = torch.randn(args.batch_size, 3, size, size, device=device)
    figures: dict = {}
    with autocast(device, args.amp), peak_memory(device) as memory:
        with torch.no_grad():
            if {'attention', 'bf16_autocast'} & set(args.sections):
                tokens = random_tokens(clip, args.batch_size, long=False)
            if 'attention' in args.sections:
                figures['attention'] = measure_attention(clip, images, tokens, args,
                                                         device)
            if 'pos_embed_cache' in args.sections:
                dense_images = torch.randn(args.batch_size, 3, dense_size,
                                           dense_size, device=device)
                figures['pos_embed_cache'] = measure_pos_embed_cache(
                    clip, dense_images, args, device)
            if 'text_cache' in args.sections:
                figures['text_cache'] = measure_text_cache(clip, args, device)
            if 'bf16_autocast' in args.sections:
                figures['bf16_autocast'] = measure_bf16_autocast(
                    clip, images, tokens, args, device)
        if 'frozen_backbone' in args.sections:
            del clip
            backbone = build_backbone(args.model, device)
            figures['frozen_backbone'] = measure_frozen_backbone(
                backbone, images, args, device)
    figures['memory'] = memory
    settings = dict(model=args.model, image_size=size, model_image_size=native,
                    dense_size=dense_size, batch_size=args.batch_size,
                    sections=list(args.sections), num_classes=args.num_classes,
                    templates=args.templates)
    return settings, figures


__all__: List[str] = ['HELP', 'SECTIONS', 'add_arguments', 'run']
