"""The evaluation models on every vision-trunk family (tiny towers).

Each evaluator is built from its config dict with the tiny ``FGCLIP`` of
every family and its outputs are checked against scores computed here from
the model's own embeddings and parameters: cosines for the CLIP families,
``sigmoid(exp(s) * cos + b)`` for SigLIP. The metrics then run on those
outputs and must agree with rankings computed here by cosine.
"""
import math
from typing import List, Sequence, Tuple

import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from torch import Tensor, nn

from fgclip_det.evaluation import (
    ClassificationAccuracyMetric,
    FGOVDAccuracyMetric,
    RetrievalRecallMetric,
)
from fgclip_det.models.evaluators import crop_boxes
from fgclip_det.registry import MODELS
from fgclip_det.testing.tiny_towers import (
    TINY_FAMILIES,
    TINY_TOWER_SIZE,
    tiny_family_fgclip_cfg,
)

init_default_scope('fgclip_det')

#: Families trained with the sigmoid loss: a logit bias, sigmoid scores.
SIGMOID_FAMILIES = ('siglip2',)
PATCH = 16
#: Boxes on the 16 px patch grid of a TINY_TOWER_SIZE input, per image, and
#: the cells ``(row0, row1, col0, col1)`` each covers: a 1x1 aligned RoIAlign
#: of such a box is the mean of the dense map over its cells.
GRID_BOXES = [[[0, 0, 32, 32], [16, 16, 32, 32]], [[32, 0, 64, 64]]]
GRID_CELLS = [[(0, 2, 0, 2), (1, 2, 1, 2)], [(0, 4, 2, 4)]]
CLASSES = ('circle', 'square', 'star')


def build(family: str, type_: str, **kwargs):
    """An evaluator from its config dict; for SigLIP the logit scale and
    bias are set mid-range (the init, bias -10, puts every score near 0),
    so that a score missing either would not pass."""
    model = MODELS.build(
        dict(type=type_, clip=tiny_family_fgclip_cfg(family),
             data_preprocessor=dict(type='CLIPEvalDataPreprocessor',
                                    size=TINY_TOWER_SIZE),
             **kwargs)).eval()
    open_clip_model = model.clip.clip
    if family in SIGMOID_FAMILIES:
        with torch.no_grad():
            open_clip_model.logit_scale.fill_(math.log(6.0))
            open_clip_model.logit_bias.fill_(-1.5)
    else:
        assert getattr(open_clip_model, 'logit_bias', None) is None
    return model


def scores_by_hand(family: str, model, queries: Tensor, keys: Tensor) -> Tensor:
    """The family's scores of normalised embeddings, from open_clip's own
    parameters."""
    cosine = queries @ keys.t()
    if family not in SIGMOID_FAMILIES:
        return cosine
    open_clip_model = model.clip.clip
    logits = (open_clip_model.logit_scale.exp() * cosine
              + open_clip_model.logit_bias)
    return 1 / (1 + torch.exp(-logits))


def check_range(family: str, scores: Tensor) -> None:
    if family in SIGMOID_FAMILIES:
        assert ((scores > 0) & (scores < 1)).all()
    else:
        assert scores.abs().max() <= 1 + 1e-5


def images(num: int = 2, seed: int = 0) -> Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num, 3, TINY_TOWER_SIZE, TINY_TOWER_SIZE,
                       generator=generator)


def det_sample(boxes=None, labels=None, **metainfo) -> DetDataSample:
    sample = DetDataSample(metainfo=metainfo)
    if boxes is not None:
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            labels=torch.tensor(labels if labels is not None else
                                [0] * len(boxes), dtype=torch.long))
    return sample


def grid_regions(model, inputs: Tensor,
                 cells: Sequence[Sequence[Tuple[int, int, int, int]]]) -> Tensor:
    """Normalised region embeddings of grid-aligned boxes, from the family's
    dense map (:meth:`FGCLIP.encode_dense`) averaged over the cells."""
    dense = model.clip.encode_dense(inputs)
    assert dense.shape[-2:] == (TINY_TOWER_SIZE // PATCH, ) * 2
    regions = [dense[index, :, r0:r1, c0:c1].mean(dim=(1, 2))
               for index, image_cells in enumerate(cells)
               for r0, r1, c0, c1 in image_cells]
    return F.normalize(torch.stack(regions), dim=-1)


def prompt_embeddings(model, names: Sequence[str],
                      templates: Sequence[str]) -> Tensor:
    """Prompt-ensembled class embeddings ``(num_classes, D)``."""
    per_class = []
    for name in names:
        prompts = [template.format(name) for template in templates]
        texts = F.normalize(model.clip.encode_text(prompts), dim=-1)
        per_class.append(F.normalize(texts.mean(0), dim=-1))
    return torch.stack(per_class)


def run_metric(metric, samples: List[DetDataSample]) -> dict:
    metric.process({}, [sample.to_dict() for sample in samples])
    return metric.evaluate(size=len(samples))


@pytest.fixture(params=TINY_FAMILIES)
def family(request) -> str:
    return request.param


def test_families_score_as_documented(family):
    model = build(family, 'CLIPRetriever')
    expected = 'sigmoid' if family in SIGMOID_FAMILIES else 'cosine'
    assert model.clip.scoring == expected


# ------------------------------------------------------- box classification
@pytest.mark.parametrize('region_mode', ['roi', 'crop'])
@torch.no_grad()
def test_box_classifier(family, region_mode):
    model = build(family, 'CLIPBoxClassifier', vocabulary=','.join(CLASSES),
                  templates='single', region_mode=region_mode, crop_scale=1.5)
    inputs = images()
    out = model(inputs, [det_sample(boxes) for boxes in GRID_BOXES],
                mode='predict')
    assert [s.pred_scores.shape for s in out] == [(2, 3), (1, 3)]
    assert [s.gt_labels.tolist() for s in out] == [[0, 0], [0]]
    if region_mode == 'roi':
        regions = grid_regions(model, inputs, GRID_CELLS)
    else:
        crops = crop_boxes(inputs, [torch.tensor(b, dtype=torch.float32)
                                    for b in GRID_BOXES], 1.5, TINY_TOWER_SIZE)
        regions = F.normalize(model.clip.encode_image(crops), dim=-1)
    classes = prompt_embeddings(model, CLASSES, ['a photo of a {}.'])
    scores = torch.cat([s.pred_scores for s in out])
    torch.testing.assert_close(scores,
                               scores_by_hand(family, model, regions, classes))
    check_range(family, scores)


@torch.no_grad()
def test_box_classification_accuracy_end_to_end(family):
    """uint8 images through the preprocessor, the model and the metric; the
    accuracy is the one of the cosine ranking."""
    model = build(family, 'CLIPBoxClassifier', vocabulary=','.join(CLASSES),
                  templates='single')
    # 128 x 256 pixels -> 64 x 64: the boxes land on the GRID_BOXES cells
    generator = torch.Generator().manual_seed(1)
    raw = [torch.randint(0, 256, (3, 128, 256), generator=generator,
                         dtype=torch.uint8) for _ in range(2)]
    boxes = [[[0, 0, 128, 64], [64, 32, 128, 64]], [[128, 0, 256, 128]]]
    labels = [[2, 0], [1]]
    data = model.data_preprocessor(
        dict(inputs=raw, data_samples=[det_sample(b, lab)
                                       for b, lab in zip(boxes, labels)]))
    torch.testing.assert_close(
        torch.cat([s.gt_instances.bboxes for s in data['data_samples']]),
        torch.tensor([box for image in GRID_BOXES for box in image],
                     dtype=torch.float32))
    out = model(**data, mode='predict')
    cosine = (grid_regions(model, data['inputs'], GRID_CELLS)
              @ prompt_embeddings(model, CLASSES, ['a photo of a {}.']).t())
    flat_labels = torch.tensor([2, 0, 1])
    top1 = 100 * (cosine.argmax(1) == flat_labels).float().mean().item()
    metrics = run_metric(ClassificationAccuracyMetric(topk=(1, 3)), out)
    assert metrics['classification/top1'] == pytest.approx(top1)
    assert metrics['classification/top3'] == 100.0


# ------------------------------------------------------------------ FG-OVD
FGOVD_TEXTS = [['a red circle', 'a blue circle', 'a red square'],
               ['a big star', 'a small star', 'a big heart', 'two stars']]
FGOVD_BOXES = [[[0, 0, 32, 32]], [[32, 0, 64, 64]]]
FGOVD_CELLS = [[(0, 2, 0, 2)], [(0, 4, 2, 4)]]


@torch.no_grad()
def test_fgovd_ranker(family):
    model = build(family, 'CLIPFGOVDRanker')
    inputs = images(seed=2)
    out = model.predict(inputs, [
        det_sample(boxes, texts=texts, test_type='1_attributes')
        for boxes, texts in zip(FGOVD_BOXES, FGOVD_TEXTS)])
    assert [s.text_scores.shape for s in out] == [(3, ), (4, )]
    regions = grid_regions(model, inputs, FGOVD_CELLS)
    cosines = []
    for sample, region, texts in zip(out, regions, FGOVD_TEXTS):
        candidates = F.normalize(model.clip.encode_text(texts), dim=-1)
        torch.testing.assert_close(
            sample.text_scores,
            scores_by_hand(family, model, region[None], candidates)[0])
        check_range(family, sample.text_scores)
        cosines.append(candidates @ region)
    hard = 100 * sum(bool(c[0] > c[1:].max()) for c in cosines) / len(cosines)
    metrics = run_metric(FGOVDAccuracyMetric(), out)
    assert metrics == {'fgovd/hard': pytest.approx(hard)}


# --------------------------------------------------------------- retrieval
CAPTIONS = [['a red circle', 'two shapes on grey'], ['a blue star'],
            ['a green heart left of a square', 'a heart', 'shapes']]


@pytest.mark.parametrize('long_text', [False, True])
@torch.no_grad()
def test_retriever(family, long_text):
    model = build(family, 'CLIPRetriever', long_text=long_text)
    # the long path starts as a copy of the short one (projection, first 20
    # positions), so short captions embed alike until its projection moves
    projection = model.clip.long_text_projection
    generator = torch.Generator().manual_seed(6)
    for param in (projection.parameters() if isinstance(projection, nn.Module)
                  else [projection]):
        param.add_(0.1 * torch.randn(param.shape, generator=generator))
    inputs = images(3, seed=3)
    out = model.predict(inputs, [det_sample(captions=c) for c in CAPTIONS])
    dim = model.clip.embed_dim
    assert [s.image_embedding.shape for s in out] == [(dim, )] * 3
    assert [s.text_embeddings.shape for s in out] == [(2, dim), (1, dim),
                                                      (3, dim)]
    flat = [caption for captions in CAPTIONS for caption in captions]
    texts = F.normalize(model.clip.encode_text(flat, long=long_text), dim=-1)
    other_path = F.normalize(model.clip.encode_text(flat, long=not long_text),
                             dim=-1)
    out_texts = torch.cat([s.text_embeddings for s in out])
    torch.testing.assert_close(out_texts, texts)
    assert not torch.allclose(out_texts, other_path, atol=1e-4)
    torch.testing.assert_close(
        torch.stack([s.image_embedding for s in out]),
        F.normalize(model.clip.encode_image(inputs), dim=-1))


@torch.no_grad()
def test_retrieval_recall_end_to_end(family):
    """The metric ranks by cosine; the family's own scores rank the same."""
    model = build(family, 'CLIPRetriever')
    out = model.predict(images(3, seed=4),
                        [det_sample(captions=c) for c in CAPTIONS])
    image_embeddings = torch.stack([s.image_embedding for s in out])
    text_embeddings = torch.cat([s.text_embeddings for s in out])
    scores = scores_by_hand(family, model, image_embeddings, text_embeddings)
    check_range(family, scores)
    text_to_image = torch.tensor([0, 0, 1, 2, 2, 2])
    i2t = (text_to_image[scores.argmax(1)] == torch.arange(3)).float().mean()
    t2i = (scores.argmax(0) == text_to_image).float().mean()
    metrics = run_metric(RetrievalRecallMetric(recall_ks=(1, 3)), out)
    assert metrics['retrieval/i2t_R@1'] == pytest.approx(100 * i2t.item())
    assert metrics['retrieval/t2i_R@1'] == pytest.approx(100 * t2i.item())
    assert metrics['retrieval/t2i_R@3'] == 100.0


# --------------------------------------------------------------- zero-shot
ZERO_SHOT_TEMPLATES = ['a photo of a {}.', 'a drawing of a {}.']


@torch.no_grad()
def test_zero_shot_classifier(family):
    model = build(family, 'CLIPZeroShotClassifier', vocabulary='cat,dog,fox',
                  templates=ZERO_SHOT_TEMPLATES)
    inputs = images(3, seed=5)
    labels = [2, 0, 1]
    out = model.predict(inputs, [det_sample(gt_label=label)
                                 for label in labels])
    assert [s.pred_scores.shape for s in out] == [(1, 3)] * 3
    assert [s.gt_labels.tolist() for s in out] == [[2], [0], [1]]
    image_embeddings = F.normalize(model.clip.encode_image(inputs), dim=-1)
    classes = prompt_embeddings(model, ('cat', 'dog', 'fox'),
                                ZERO_SHOT_TEMPLATES)
    scores = torch.cat([s.pred_scores for s in out])
    torch.testing.assert_close(
        scores, scores_by_hand(family, model, image_embeddings, classes))
    check_range(family, scores)
    cosine_top1 = (image_embeddings @ classes.t()).argmax(1)
    top1 = 100 * (cosine_top1 == torch.tensor(labels)).float().mean().item()
    metrics = run_metric(
        ClassificationAccuracyMetric(topk=(1, ), prefix='zero_shot'), out)
    assert metrics['zero_shot/top1'] == pytest.approx(top1)
