"""Build class text embeddings for an open-vocabulary detector.

Each class name fills every prompt template (the ``prompt_templates`` of
``--config`` when it has them, else the 63 ViLD templates); the FG-CLIP
text features of a class's prompts are L2-normalised, averaged and
normalised again. A CLIP with a region-caption path encodes through it
(FG-CLIP 2's box walk, ``encode_region_text``). The file (``.pt`` with
class names, or ``.npy``) is what the detector configs reference.

Examples::

    # the 65 OV-COCO classes, from the base-only training file
    python tools/build_text_embeddings.py checkpoints/fgclip_vitb16.pth \
        --vocab data/coco/annotations/instances_train2017_ov-base.json \
        --out data/embeddings/ov-coco_fgclip-vitb16.pt
    # any vocabulary, with OpenAI CLIP weights from open_clip
    python tools/build_text_embeddings.py --model-name ViT-B-16 \
        --pretrained openai --vocab 'cat,dog,traffic light' --out my.pt
    # the CLIP of a detector config, weights from an FGCLIPPretrainer run
    python tools/build_text_embeddings.py \
        work_dirs/fgclip-stage2_vit-tiny_1xb16-12e_synthetic/epoch_5.pth \
        --config configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py \
        --prefix clip. --vocab data/synthetic/annotations/instances_val.json \
        --out data/synthetic/embeddings/shapes_fgclip-tiny.pt
    # FG-CLIP 2: the released folder the config's model.backbone.clip names
    python tools/build_text_embeddings.py \
        --config configs/fvit/fvit_fgclip2-base_fpn_8xb8-3e_ov-coco.py \
        --vocab data/coco/annotations/instances_train2017_ov-base.json \
        --out data/embeddings/ov-coco_fgclip2-base.pt
"""
import argparse

import torch
from mmengine.config import Config
from torch import nn

from fgclip_det.datasets.vocabulary import load_vocabulary
from fgclip_det.models.clip import FGCLIP
from fgclip_det.models.text import (
    TEMPLATE_SETS,
    build_class_embeddings,
    region_text_encoder,
    resolve_templates,
    save_class_embeddings,
)
from fgclip_det.registry import MODELS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Prompt-ensemble class embeddings from FG-CLIP.')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='FGCLIP weights: a toolkit checkpoint (self-describing), or any '
        'checkpoint with --config and --prefix')
    parser.add_argument(
        '--config',
        help='detector config whose model.backbone.clip gives the CLIP '
        '(FGCLIP or FGCLIP2) architecture')
    parser.add_argument(
        '--prefix',
        default='',
        help='key prefix of the FGCLIP weights in the checkpoint, with '
        '--config (e.g. "clip." in an FGCLIPPretrainer checkpoint)')
    parser.add_argument(
        '--model-name',
        help='open_clip architecture, with --pretrained, instead of a '
        'toolkit checkpoint')
    parser.add_argument('--pretrained', help='open_clip weights tag or file')
    parser.add_argument(
        '--vocab',
        required=True,
        help='COCO/LVIS json (its categories), a text file with one name a '
        'line, or a comma-separated list')
    parser.add_argument('--out', required=True, help='.pt or .npy file')
    parser.add_argument(
        '--templates',
        choices=sorted(TEMPLATE_SETS),
        help="prompt templates; default: the --config's prompt_templates "
        "(a list in the config) if it has them, else 'vild'")
    parser.add_argument(
        '--long', action='store_true', help='use the long-text path')
    parser.add_argument('--device', default='cpu', help='e.g. cuda:0')
    args = parser.parse_args()
    if args.model_name and (args.checkpoint or args.config):
        parser.error('--model-name excludes a checkpoint and --config')
    if not (args.model_name or args.checkpoint or args.config):
        parser.error('give a checkpoint, --config or --model-name')
    return args


def prompt_templates(args: argparse.Namespace) -> tuple:
    """``--templates``, else the config's ``prompt_templates``, else ViLD's."""
    if args.templates is not None:
        return resolve_templates(args.templates)
    if args.config is not None:
        templates = Config.fromfile(args.config).get('prompt_templates')
        if templates is not None:
            try:
                return resolve_templates(templates)
            except ValueError as error:
                raise SystemExit(f'build_text_embeddings.py: error: '
                                 f'{args.config}: prompt_templates: {error}'
                                 ) from None
    return resolve_templates('vild')


def build_fgclip(args: argparse.Namespace) -> nn.Module:
    """The CLIP model the arguments describe, with its weights."""
    if args.model_name:
        return FGCLIP(args.model_name, pretrained=args.pretrained)
    if args.config is None:
        return FGCLIP.from_checkpoint(args.checkpoint)
    clip_cfg = dict(Config.fromfile(args.config).model.backbone.clip)
    if clip_cfg['type'] not in ('FGCLIP', 'FGCLIP2'):
        raise ValueError(f'{args.config}: model.backbone.clip is '
                         f"{clip_cfg['type']!r}, not FGCLIP or FGCLIP2")
    model = MODELS.build(clip_cfg)
    if args.checkpoint:
        model.load_checkpoint(args.checkpoint, prefix=args.prefix)
    elif clip_cfg.get('pretrained'):
        name = clip_cfg.get('model_name') or clip_cfg['type']
        print(f'no checkpoint: the text tower of {name} with its '
              f"pretrained={clip_cfg['pretrained']!r} weights")
    else:
        print('no checkpoint: the text tower has random weights')
    return model


def main() -> None:
    args = parse_args()
    try:  # before the model is built: a bad list fails at once
        class_names = load_vocabulary(args.vocab)
    except (OSError, TypeError, ValueError) as error:
        raise SystemExit(f'build_text_embeddings.py: error: --vocab: {error}'
                         ) from None
    templates = prompt_templates(args)
    model = build_fgclip(args).to(args.device).eval()
    embeddings = build_class_embeddings(region_text_encoder(model, args.long),
                                        class_names, templates, progress=True)
    save_class_embeddings(args.out, embeddings, class_names)
    print(f'{args.out}: {len(class_names)} classes x {embeddings.shape[1]} '
          f'({len(templates)} templates)')


if __name__ == '__main__':
    with torch.no_grad():
        main()
