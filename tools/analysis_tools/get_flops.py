"""FLOPs and parameters of a config's model, by mmengine's FlopAnalyzer.

A detector config (F-ViT, or any mmdet detector): one test-time forward
(``predict``) of a 1 x 3 x H x W image, split by part (backbone, neck,
RPN, RoI head). A CLIP config (FG-CLIP pretraining, CLIP evaluation: the
model has ``clip``): the image tower at H x W (global embedding, and with
the dense map as stage 2 and F-ViT use it) and the text tower at its short
and long context lengths, one image or one caption each.

Weights do not change the count: the model is built with random weights
(no pretrained tag, no checkpoint, random class embeddings).

    python tools/analysis_tools/get_flops.py \
        configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py --shape 640 640
    python tools/analysis_tools/get_flops.py \
        configs/fgclip/fgclip-stage2_vitb16-224px_8xb512-1e_finehard.py
"""
import argparse
from typing import List, Optional, Tuple

from mmengine.config import Config, DictAction

NOTE = ('FLOPs as mmengine counts them: one multiply-add is one FLOP; ops '
        'without a formula (NMS, top-k, sorting, ...) are not counted')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="FLOPs and parameters of a config's model")
    parser.add_argument('config', help='detector or CLIP config file')
    parser.add_argument('--shape', type=int, nargs='+', metavar='N',
                        help="input H W (or one side for a square); default: "
                        "the config's image_size (detectors) or the image "
                        "tower's size (CLIP)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value pairs '
                        '(xxx=yyy)')
    args = parser.parse_args()
    if args.shape is not None:
        if len(args.shape) not in (1, 2) or min(args.shape) < 1:
            parser.error(f'--shape takes H W or one side >= 1, got '
                         f'{args.shape}')
        args.shape = tuple(args.shape * (3 - len(args.shape)))
    return args


def human(count: float) -> str:
    """``379.3G``-style count: 4 significant digits, the largest unit that
    keeps the value >= 1."""
    for unit, scale in (('T', 1e12), ('G', 1e9), ('M', 1e6), ('K', 1e3)):
        if count >= scale:
            return f'{count / scale:.4g}{unit}'
    return f'{count:.4g}'


def attention_flops(inputs: list, outputs: list) -> int:
    """``scaled_dot_product_attention``: ``Q K^T`` and ``softmax(.) V``,
    ``batch x L x S x (E + Ev)`` multiply-adds (mmengine has no formula)."""
    from mmengine.analysis.jit_handles import get_shape

    q, k, v = (get_shape(x) for x in inputs[:3])
    batch = 1
    for n in q[:-2]:
        batch *= n
    return batch * q[-2] * k[-2] * (q[-1] + v[-1])


def analyze(module, inputs: tuple, parts: Optional[List[str]] = None
            ) -> Tuple[int, dict, List[str]]:
    """Total FLOPs, FLOPs of the named sub-modules, and the ops skipped.

    PyTorch's fused ``nn.MultiheadAttention`` inference path is switched
    off while tracing: it hides the projections and the attention in one
    op that mmengine cannot count.
    """
    import torch
    from mmengine.analysis import FlopAnalyzer

    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        analyzer = FlopAnalyzer(module, inputs)
        analyzer.set_op_handle('aten::scaled_dot_product_attention',
                               attention_flops)
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        total = analyzer.total()
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)
    by_module = analyzer.by_module()
    return (total, {p: by_module.get(p, 0) for p in parts or []},
            sorted(analyzer.unsupported_ops()))


def num_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def detector_flops(cfg: Config, shape: Optional[Tuple[int, int]]
                   ) -> Tuple[list, list]:
    """Rows ``(what, FLOPs, params)`` of a detector's test-time forward,
    and the ops without a FLOP formula."""
    import torch
    from benchmark.detect import benchmark_model_cfg, build_detector
    from mmdet.testing import demo_mm_inputs
    from torch import nn

    if shape is None:
        size = cfg.get('image_size')
        if size is None:
            raise ValueError(f'{cfg.filename} has no image_size; pass '
                             '--shape H W')
        shape = (size, size) if isinstance(size, int) else tuple(size)
    model_cfg = cfg.model
    if 'clip' in model_cfg.backbone:  # F-ViT: random CLIP and embeddings
        model_cfg, _ = benchmark_model_cfg(cfg, shape[0])
    model = build_detector(model_cfg, torch.device('cpu'))
    packed = demo_mm_inputs(batch_size=1, image_shapes=[(3, *shape)],
                            num_classes=2, with_mask=model.with_mask)
    data = model.data_preprocessor(packed, False)

    class Predict(nn.Module):
        """``predict`` on fixed image metas, returning plain tensors."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, inputs: torch.Tensor) -> tuple:
            results = self.model.predict(inputs, data['data_samples'])
            pred = results[0].pred_instances
            return pred.bboxes, pred.scores, pred.labels

    parts = [name for name, _ in model.named_children()
             if name != 'data_preprocessor']
    with torch.no_grad():
        total, by_part, skipped = analyze(Predict(), (data['inputs'],),
                                          [f'model.{p}' for p in parts])
    padded = tuple(data['inputs'].shape[-2:])
    what = f'detector predict, {shape[0]}x{shape[1]} image'
    if padded != tuple(shape):
        what += f' padded to {padded[0]}x{padded[1]}'
    rows = [(what, total, num_params(model))]
    rows += [(f'  {part}', by_part[f'model.{part}'],
              num_params(getattr(model, part))) for part in parts]
    return rows, skipped


def clip_flops(cfg: Config, shape: Optional[Tuple[int, int]]
               ) -> Tuple[list, list]:
    """Rows ``(what, FLOPs, params)`` of the CLIP's image and text towers,
    and the ops without a FLOP formula."""
    import torch
    from benchmark.runtime import drop_pretrained, model_image_size
    from torch import nn

    from fgclip_det.registry import MODELS

    clip_cfg = cfg.model.clip.copy()
    drop_pretrained(clip_cfg)
    clip = MODELS.build(clip_cfg).eval()
    if shape is None:
        shape = (model_image_size(clip),) * 2

    class Call(nn.Module):
        def __init__(self, method, **kwargs) -> None:
            super().__init__()
            self.clip, self.method, self.kwargs = clip, method, kwargs

        def forward(self, x: torch.Tensor):
            return getattr(self.clip, self.method)(x, **self.kwargs)

    visual = num_params(clip.visual)
    text = num_params(clip) - visual
    short = clip.text_tower.positional_embedding.shape[0]
    long = clip.long_positional_embedding.shape[0]
    image = torch.zeros(1, 3, *shape)
    work = [
        (f'image tower, global embedding, {shape[0]}x{shape[1]}',
         Call('encode_image'), image, visual),
        (f'image tower, global + dense map, {shape[0]}x{shape[1]}',
         Call('encode_image_and_dense'), image, visual),
        (f'text tower, short path, {short} tokens', Call('encode_text'),
         torch.zeros(1, short, dtype=torch.long), text),
        (f'text tower, long path, {long} tokens',
         Call('encode_text', long=True),
         torch.zeros(1, long, dtype=torch.long), text),
    ]
    rows, skipped = [], set()
    with torch.no_grad():
        for what, module, x, params in work:
            total, _, ops = analyze(module, (x,))
            rows.append((what, total, params))
            skipped.update(ops)
    return rows, sorted(skipped)


def main() -> None:
    args = parse_args()
    from fgclip_det.utils.tool_cli import load_config

    cfg = load_config(args.config, args.cfg_options)
    model_cfg = cfg.get('model') or {}
    if 'backbone' in model_cfg:
        rows, skipped = detector_flops(cfg, args.shape)
        counted = 'one image through the test-time forward (predict)'
    elif 'clip' in model_cfg:
        rows, skipped = clip_flops(cfg, args.shape)
        counted = ('one image or one caption through each tower (text '
                   'parameters: embeddings, transformer and both paths)')
    else:
        raise ValueError(
            f'{args.config}: get_flops counts detectors (model.backbone) and '
            f'CLIP models (model.clip); model type is {model_cfg.get("type")}')
    width = max(len(what) for what, _, _ in rows)
    print(f'{args.config}\ncounted: {counted}')
    print(f'{"":<{width}}  {"FLOPs":>8}  {"params":>8}')
    for what, flops, params in rows:
        print(f'{what:<{width}}  {human(flops):>8}  {human(params):>8}')
    print(NOTE + (f'; skipped here: {", ".join(skipped)}' if skipped else ''))


if __name__ == '__main__':
    main()
