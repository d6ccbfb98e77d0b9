"""How well a CLIP's region features name boxes when trained on the labels.

Takes a FineHARD-style pretraining config (e.g. the quickstart's
``configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py``) and
trains a linear classifier over ``--classes`` on the region features its
CLIP gives (RoIAlign 1x1 of the dense map, as the regional loss and the box
classification evaluation read them), by cross-entropy on the class of each
training region, for the config's epochs, batches and learning rate. After
every epoch it prints the top-1 over the val regions, overall and over
``--novel``. A region's class is the last word of its short expression
(``short_expr``), which must be one of ``--classes``.

Two modes:

- default: the vision tower trains with the classifier, from the config's
  initial weights: the top-1 the tower reaches with direct supervision in
  the steps its pretraining has, a bound on what the captions can teach it;
- ``--checkpoint CKPT``: the tower is frozen at a checkpoint of the config
  (a linear probe): how much of the class its region features carry.

    python tools/analysis_tools/roi_class_probe.py \
        configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py \
        --classes circle,square,triangle,star,hexagon,diamond,cross,heart \
        --novel star,heart --out work_dirs/roi_probe/supervised.json

The features are L2-normalised and the logits scaled by 10 (temperature
0.1); AdamW at the config's learning rate (weight decay 0.05), 50 linear
warm-up steps, then cosine decay to 0. Results (``--out``, JSON): the
settings, the number of trained parameters and one record per epoch (its
mean training loss, the top-1s, the seconds since the start).
"""
import argparse
import json
import math
import os
import os.path as osp
import time
from typing import Dict, List, Sequence

from mmengine.config import Config, DictAction

WARMUP_STEPS = 50
LOGIT_SCALE = 10.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Region features trained (or probed) on class labels')
    parser.add_argument('config', help='FineHARD-style pretraining config')
    parser.add_argument('--classes', required=True,
                        help='comma-separated class names (the last word of '
                        'each region expression)')
    parser.add_argument('--novel', default='',
                        help='comma-separated classes also scored apart')
    parser.add_argument('--checkpoint',
                        help='freeze the CLIP at these weights (linear probe)')
    parser.add_argument('--epochs', type=int,
                        help="epochs (default: the config's max_epochs)")
    parser.add_argument('--work-dir', help='runner work dir (default: '
                        'work_dirs/roi_class_probe)')
    parser.add_argument('--out', help='JSON file for the results')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings (key=value)')
    args = parser.parse_args()
    args.classes = split_names(args.classes)
    args.novel = split_names(args.novel)
    unknown = sorted(set(args.novel) - set(args.classes))
    if len(args.classes) < 2:
        parser.error(f'--classes needs at least 2 names, got {args.classes}')
    if unknown:
        parser.error(f'--novel names {unknown} are not among --classes')
    if args.epochs is not None and args.epochs < 1:
        parser.error(f'--epochs must be at least 1, got {args.epochs}')
    return args


def split_names(text: str) -> List[str]:
    return [name.strip() for name in text.split(',') if name.strip()]


def region_labels(texts: Sequence[str], classes: Sequence[str]) -> List[int]:
    """The class index of each region expression (its last word)."""
    labels = []
    for text in texts:
        name = text.split()[-1] if text.split() else ''
        if name not in classes:
            raise ValueError(f'region expression {text!r}: last word {name!r} '
                             f'is not one of --classes {list(classes)}')
        labels.append(classes.index(name))
    return labels


def region_features(pretrainer, batch: dict, classes: Sequence[str]) -> tuple:
    """The L2-normalised region features ``(M, D)`` of a pretrainer's CLIP
    on one loader batch, and the class of each region ``(M,)``."""
    import torch
    import torch.nn.functional as F

    data = pretrainer.data_preprocessor(batch, training=False)
    inputs, samples = data['inputs'], data['data_samples']
    clip = pretrainer.clip
    _, dense = clip.encode_image_and_dense(inputs)
    regions = clip.pool_regions(dense, [s.region_boxes for s in samples],
                                inputs.shape[-2:], warn_clipped=False)
    texts = [t for s in samples for t in s.region_short_texts]
    labels = torch.tensor(region_labels(texts, classes), dtype=torch.long)
    return F.normalize(regions, dim=-1), labels


def evaluate(pretrainer, head, loader, classes: Sequence[str],
             novel: Sequence[int]) -> Dict[str, float]:
    """Top-1 of ``head`` over the regions of ``loader`` (and over the
    ``novel`` class indices)."""
    import torch

    pretrainer.eval()
    correct = total = novel_correct = novel_total = 0
    with torch.no_grad():
        for batch in loader:
            feats, labels = region_features(pretrainer, batch, classes)
            hit = head(feats).argmax(1) == labels
            is_novel = torch.isin(labels, torch.tensor(list(novel), dtype=torch.long))
            correct += int(hit.sum())
            total += len(labels)
            novel_correct += int(hit[is_novel].sum())
            novel_total += int(is_novel.sum())
    result = dict(top1=100 * correct / max(total, 1), regions=total)
    if novel:
        result['top1_novel'] = 100 * novel_correct / max(novel_total, 1)
    return result


def main() -> None:
    args = parse_args()
    if args.out:  # written after training: its folder is made first
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    import torch
    import torch.nn.functional as F

    from fgclip_det.engine import build_runner

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    # The labels come from each region's short expression, which the samples
    # keep whatever caption is drawn: no long caption is drawn, to tokenise
    # unused.
    cfg.train_dataloader.dataset.long_region_caption_prob = 0.0
    cfg.work_dir = args.work_dir or osp.join('work_dirs', 'roi_class_probe')
    runner = build_runner(cfg)
    pretrainer = runner.model
    frozen = args.checkpoint is not None
    if frozen:
        runner.load_checkpoint(args.checkpoint)  # strict in CheckpointSafeRunner
        pretrainer.requires_grad_(False)
    head = torch.nn.Linear(pretrainer.clip.embed_dim, len(args.classes))
    params = list(head.parameters())
    if not frozen:
        params += list(pretrainer.clip.visual.parameters())
    lr = cfg.optim_wrapper.optimizer.lr
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.05)
    train_loader = runner.build_dataloader(cfg.train_dataloader)
    val_loader = runner.build_dataloader(cfg.val_dataloader)
    epochs = args.epochs or cfg.train_cfg.max_epochs
    total_steps = epochs * len(train_loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / WARMUP_STEPS) * 0.5 *
        (1 + math.cos(math.pi * step / total_steps)))
    novel = [args.classes.index(name) for name in args.novel]
    records, start = [], time.time()
    for epoch in range(1, epochs + 1):
        pretrainer.train(not frozen)
        losses = []
        for batch in train_loader:
            feats, labels = region_features(pretrainer, batch, args.classes)
            loss = F.cross_entropy(head(feats) * LOGIT_SCALE, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
        record = dict(epoch=epoch, train_loss=sum(losses) / len(losses),
                      **evaluate(pretrainer, head, val_loader, args.classes, novel),
                      seconds=round(time.time() - start, 1))
        records.append(record)
        runner.logger.info('roi_class_probe ' + json.dumps(record))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as file:
            json.dump(dict(config=args.config, checkpoint=args.checkpoint,
                           classes=args.classes, novel=args.novel, lr=lr,
                           trained_parameters=sum(p.numel() for p in params),
                           epochs=records), file, indent=2)


if __name__ == '__main__':
    main()
