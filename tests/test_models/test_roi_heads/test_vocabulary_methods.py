"""Vocabulary swaps through the classifier, bbox head and RoI head methods."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.roi_heads import StandardRoIHead
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from torch import nn

from fgclip_det.apis import set_detector_vocabulary
from fgclip_det.models.roi_heads import TextEmbeddingClassifier
from fgclip_det.registry import MODELS
from fgclip_det.testing.tiny_fvit_heads import (
    EMBED_DIM,
    IN_CHANNELS,
    NUM_CLASSES,
    tiny_bbox_head_cfg,
    tiny_embeddings,
    tiny_roi_head_cfg,
)

NEW_CLASSES = 3
NEW_NOVEL = [True, False, True]


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


def classifier(**kwargs):
    return TextEmbeddingClassifier(IN_CHANNELS, NUM_CLASSES + 1, tiny_embeddings(),
                                   **kwargs)


def mask_cfg(class_agnostic=True):
    return dict(
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=IN_CHANNELS,
            featmap_strides=[4]),
        mask_head=dict(
            type='FCNMaskHead', num_convs=1, in_channels=IN_CHANNELS,
            conv_out_channels=IN_CHANNELS, num_classes=NUM_CLASSES,
            class_agnostic=class_agnostic))


def snapshot(module):
    """Copies of the parameters and buffers (persistent or not)."""
    tensors = [*module.named_parameters(), *module.named_buffers()]
    return {name: tensor.detach().clone() for name, tensor in tensors}


# ------------------------------------------------------------- classifier
def test_classifier_scores_against_the_new_embeddings():
    clf = classifier()
    keys = set(clf.state_dict())
    new = tiny_embeddings(NEW_CLASSES, seed=1)
    clf.set_embeddings(new)
    assert clf.out_features == NEW_CLASSES + 1
    x = torch.randn(4, IN_CHANNELS)
    logits = clf(x)
    assert logits.shape == (4, NEW_CLASSES + 1)
    cos = F.normalize(clf.proj(x), dim=-1) @ F.normalize(new, dim=-1).t()
    torch.testing.assert_close(logits[:, :NEW_CLASSES], 50 * cos)
    # still a non-persistent buffer: checkpoints keep fitting
    assert 'embeddings' in dict(clf.named_buffers())
    assert 'embeddings' not in dict(clf.named_parameters())
    assert set(clf.state_dict()) == keys
    torch.testing.assert_close(clf.embeddings.norm(dim=-1),
                               torch.ones(NEW_CLASSES))


def test_learnt_embeddings_stay_a_parameter():
    clf = classifier(learn_embeddings=True)
    keys = set(clf.state_dict())
    new = tiny_embeddings(NEW_CLASSES, seed=1).requires_grad_()
    clf.set_embeddings(new)
    params = dict(clf.named_parameters())
    assert isinstance(params['embeddings'], nn.Parameter)
    assert params['embeddings'].requires_grad
    assert params['embeddings'].grad_fn is None  # not tied to the input
    assert 'embeddings' not in dict(clf.named_buffers())
    assert set(clf.state_dict()) == keys
    assert clf.state_dict()['embeddings'].shape == (NEW_CLASSES, EMBED_DIM)


def test_classifier_keeps_its_dtype():
    clf = classifier().double()
    clf.set_embeddings(tiny_embeddings(NEW_CLASSES, seed=1))
    assert clf.embeddings.dtype == torch.float64
    assert clf(torch.randn(2, IN_CHANNELS, dtype=torch.float64)).shape == (
        2, NEW_CLASSES + 1)


@pytest.mark.parametrize('shape, match', [
    ((3, 7), r'width 7; the classifier expects width 8'),
    ((8, ), r'\(num_classes, dim\).*got shape \(8,\)'),
    ((0, 8), r'num_classes >= 1, got shape \(0, 8\)'),
])
def test_classifier_rejects_bad_embeddings(shape, match):
    clf = classifier()
    before = clf.embeddings.clone()
    with pytest.raises(ValueError, match=match):
        clf.set_embeddings(torch.randn(shape))
    torch.testing.assert_close(clf.embeddings, before)
    assert clf.out_features == NUM_CLASSES + 1


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_classifier_moves_embeddings_to_its_device():
    clf = classifier().cuda()
    clf.set_embeddings(tiny_embeddings(NEW_CLASSES, seed=1))
    assert clf.embeddings.is_cuda
    assert clf(torch.randn(2, IN_CHANNELS, device='cuda')).shape == (
        2, NEW_CLASSES + 1)


# ------------------------------------------------------------- bbox head
def test_bbox_head_scores_the_new_vocabulary():
    head = MODELS.build(tiny_bbox_head_cfg(num_shared_convs=0,
                                           num_shared_fcs=1)).eval()
    keys = set(head.state_dict())
    new = tiny_embeddings(NEW_CLASSES, seed=1)
    head.set_vocabulary(new, NEW_NOVEL)
    assert head.num_classes == NEW_CLASSES
    assert head.novel_mask.tolist() == NEW_NOVEL + [False]
    assert 'novel_mask' in dict(head.named_buffers())
    assert set(head.state_dict()) == keys
    x = torch.randn(3, IN_CHANNELS, 7, 7)
    with torch.no_grad():
        cls_score, bbox_pred = head(x)
        feats = head.shared_fcs[0](x.flatten(1)).relu()
        expected = head.fc_cls(feats)
        cos = (F.normalize(head.fc_cls.proj(feats), dim=-1)
               @ F.normalize(new, dim=-1).t())
    assert cls_score.shape == (3, NEW_CLASSES + 1) and bbox_pred.shape == (3, 4)
    torch.testing.assert_close(cls_score, expected)
    torch.testing.assert_close(
        cls_score[:, :NEW_CLASSES], head.fc_cls.temperature * cos)


def test_bbox_head_takes_a_bool_tensor_mask():
    head = MODELS.build(tiny_bbox_head_cfg())
    head.set_vocabulary(tiny_embeddings(2, seed=1), torch.tensor([False, True]))
    assert head.novel_mask.tolist() == [False, True, False]
    assert head.novel_mask.dtype == torch.bool


@pytest.mark.parametrize('cfg, emb, novel, match', [
    (dict(), tiny_embeddings(3, seed=1), [True, False],
     r'one bool per class of the embeddings \(3, 8\).*shape \(2,\)'),
    (dict(), tiny_embeddings(3, seed=1), [0, 2, 2],
     r'novel_mask must hold one bool.*torch.int64'),
    (dict(), tiny_embeddings(3, 7, seed=1), [True, False, True],
     r'width 7; the classifier expects width 8'),
    (dict(reg_class_agnostic=False), tiny_embeddings(3, seed=1), NEW_NOVEL,
     'class-agnostic box regression'),
    (dict(cls_predictor_cfg=dict(type='Linear')), tiny_embeddings(3, seed=1), NEW_NOVEL,
     'needs a TextEmbeddingClassifier, got Linear'),
])
def test_bbox_head_rejects_bad_vocabularies(cfg, emb, novel, match):
    head = MODELS.build(tiny_bbox_head_cfg(**cfg))
    before = snapshot(head)
    with pytest.raises(ValueError, match=match):
        head.set_vocabulary(emb, novel)
    assert head.num_classes == NUM_CLASSES
    assert snapshot(head).keys() == before.keys()
    for name, tensor in snapshot(head).items():
        torch.testing.assert_close(tensor, before[name])


# ------------------------------------------------------------- RoI head
def test_roi_head_ensemble_uses_the_new_vocabulary():
    head = MODELS.build(tiny_roi_head_cfg()).eval()
    new = tiny_embeddings(NEW_CLASSES, seed=1)
    head.set_vocabulary(new, NEW_NOVEL)
    feats = (torch.randn(1, IN_CHANNELS, 16, 16), )
    direction = F.normalize(torch.randn(EMBED_DIM), dim=0)
    clip_map = direction.view(1, -1, 1, 1).repeat(1, 1, 4, 4)
    metas = [dict(img_shape=(64, 64), scale_factor=(1.0, 1.0))]
    proposals = [InstanceData(
        bboxes=torch.tensor([[0., 0., 32., 32.], [16., 8., 60., 40.]]),
        scores=torch.ones(2))]
    with torch.no_grad():
        raw = head.predict_bbox(feats, metas, proposals, None,
                                clip_map=clip_map)[0]
        det = StandardRoIHead.predict_bbox(head, feats, metas, proposals,
                                           None)[0]
    assert raw.scores.shape == det.scores.shape == (2, NEW_CLASSES + 1)
    clip = (10.0 * direction @ F.normalize(new, dim=-1).t()).softmax(-1)
    weight = torch.tensor([0.5 if n else 0.25 for n in NEW_NOVEL])
    expected = det.scores[:, :-1].pow(1 - weight) * clip.pow(weight)
    torch.testing.assert_close(raw.scores[:, :-1], expected)
    torch.testing.assert_close(raw.scores[:, -1], det.scores[:, -1])


def test_roi_head_updates_a_class_agnostic_mask_head():
    head = MODELS.build(tiny_roi_head_cfg(**mask_cfg()))
    head.set_vocabulary(tiny_embeddings(NEW_CLASSES, seed=1), NEW_NOVEL)
    assert head.mask_head.num_classes == head.bbox_head.num_classes == 3


def test_roi_head_rejects_a_class_specific_mask_head():
    head = MODELS.build(tiny_roi_head_cfg(**mask_cfg(class_agnostic=False)))
    with pytest.raises(ValueError, match='class-agnostic mask head'):
        head.set_vocabulary(tiny_embeddings(NEW_CLASSES, seed=1), NEW_NOVEL)
    assert head.bbox_head.num_classes == head.mask_head.num_classes == 5
    assert head.bbox_head.fc_cls.out_features == NUM_CLASSES + 1


def test_roi_head_needs_an_fvit_bbox_head():
    head = MODELS.build(tiny_roi_head_cfg(
        clip_roi_extractor=None,
        bbox_head=dict(type='Shared2FCBBoxHead', in_channels=IN_CHANNELS,
                       fc_out_channels=32, num_classes=NUM_CLASSES)))
    with pytest.raises(ValueError, match='needs an FViTBBoxHead, got '
                       'Shared2FCBBoxHead'):
        head.set_vocabulary(tiny_embeddings(NEW_CLASSES, seed=1), NEW_NOVEL)


# ------------------------------------------------------------- detector
def test_set_detector_vocabulary_delegates_to_the_roi_head():
    detector = nn.Module()
    detector.roi_head = MODELS.build(tiny_roi_head_cfg(**mask_cfg()))
    new = tiny_embeddings(NEW_CLASSES, seed=1)
    set_detector_vocabulary(detector, new, NEW_NOVEL)
    bbox_head = detector.roi_head.bbox_head
    torch.testing.assert_close(bbox_head.fc_cls.class_embeddings,
                               F.normalize(new, dim=-1))
    assert bbox_head.novel_mask.tolist() == NEW_NOVEL + [False]
    assert detector.roi_head.mask_head.num_classes == NEW_CLASSES


def test_set_detector_vocabulary_needs_an_fvit_roi_head():
    detector = nn.Module()
    detector.roi_head = MODELS.build(dict(
        type='StandardRoIHead',
        bbox_roi_extractor=tiny_roi_head_cfg()['bbox_roi_extractor'],
        bbox_head=tiny_bbox_head_cfg()))
    with pytest.raises(ValueError, match='needs an FViTRoIHead, got '
                       'StandardRoIHead'):
        set_detector_vocabulary(detector, tiny_embeddings(NEW_CLASSES), NEW_NOVEL)
    with pytest.raises(ValueError, match='got NoneType'):
        set_detector_vocabulary(nn.Module(), tiny_embeddings(NEW_CLASSES),
                                NEW_NOVEL)
