"""Text-embedding classifier, FViTBBoxHead novel masking, CLIP ensemble."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.roi_heads import StandardRoIHead
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from fgclip_det.models.roi_heads import (
    FViTBBoxHead,
    FViTRoIHead,
    TextEmbeddingClassifier,
    geometric_ensemble,
)
from fgclip_det.models.text import save_class_embeddings
from fgclip_det.registry import MODELS
from fgclip_det.testing.tiny_fvit_heads import (
    EMBED_DIM,
    IN_CHANNELS,
    NOVEL,
    NUM_CLASSES,
    tiny_bbox_head_cfg,
    tiny_embeddings,
    tiny_roi_head_cfg,
)


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('fgclip_det')


# ------------------------------------------------------------- classifier
def test_classifier_is_scaled_cosine_with_background_last():
    clf = TextEmbeddingClassifier(IN_CHANNELS, NUM_CLASSES + 1, tiny_embeddings())
    x = torch.randn(4, IN_CHANNELS)
    logits = clf(x)
    assert logits.shape == (4, NUM_CLASSES + 1)
    feats = F.normalize(clf.proj(x), dim=-1)
    expected = 50 * feats @ F.normalize(tiny_embeddings(), dim=-1).t()
    torch.testing.assert_close(logits[:, :NUM_CLASSES], expected)
    assert clf.temperature.item() == 50 and clf.temperature.requires_grad


@pytest.mark.parametrize('suffix', ['.pt', '.npy'])
def test_classifier_reads_embedding_files(tmp_path, suffix):
    path = str(tmp_path / f'emb{suffix}')
    save_class_embeddings(path, tiny_embeddings(), [str(i) for i in range(5)])
    from_file = TextEmbeddingClassifier(IN_CHANNELS, NUM_CLASSES + 1, path)
    torch.testing.assert_close(from_file.class_embeddings,
                               F.normalize(tiny_embeddings(), dim=-1))


def test_classifier_learning_switches():
    fixed = TextEmbeddingClassifier(
        IN_CHANNELS, NUM_CLASSES + 1, tiny_embeddings(), learn_background=False,
        learn_temperature=False)
    assert set(dict(fixed.named_parameters())) == {'proj.weight', 'proj.bias'}
    assert 'embeddings' not in fixed.state_dict()  # vocabulary is swappable
    assert torch.all(fixed(torch.randn(3, IN_CHANNELS))[:, -1] == 0)

    learnt = TextEmbeddingClassifier(
        IN_CHANNELS, NUM_CLASSES + 1, tiny_embeddings(), learn_embeddings=True)
    assert {'embeddings', 'background', 'temperature'} <= set(
        dict(learnt.named_parameters()))


def test_classifier_checks_the_number_of_classes():
    with pytest.raises(ValueError, match='out_features=5'):
        TextEmbeddingClassifier(IN_CHANNELS, NUM_CLASSES, tiny_embeddings())


# ------------------------------------------------------------- bbox head
def test_novel_classes_take_no_part_in_training():
    head = MODELS.build(tiny_bbox_head_cfg())
    assert isinstance(head, FViTBBoxHead)
    assert head.loss_cls.class_weight == [1.0] * NUM_CLASSES + [0.6]
    labels = torch.tensor([0, 2, 4, 5, 5, 0])  # base classes + background
    num = len(labels)
    logits = torch.randn(num, NUM_CLASSES + 1, requires_grad=True)
    args = (None, torch.zeros(num, 5), labels, torch.ones(num),
            torch.zeros(num, 4), torch.zeros(num, 4))
    loss = head.loss(logits, *args)['loss_cls']
    loss.backward()
    assert torch.all(logits.grad[:, NOVEL] == 0)

    # the same as a softmax over base classes + background only
    keep = [0, 2, 4, 5]
    remap = {c: i for i, c in enumerate(keep)}
    weight = torch.tensor([1.0, 1.0, 1.0, 0.6])
    expected = F.cross_entropy(
        logits.detach()[:, keep], torch.tensor([remap[int(c)] for c in labels]),
        weight=weight, reduction='sum') / num
    torch.testing.assert_close(loss.detach(), expected)

    # and blind to the novel logits
    shifted = logits.detach().clone()
    shifted[:, NOVEL] += 100
    torch.testing.assert_close(head.loss(shifted, *args)['loss_cls'],
                               loss.detach())


def test_novel_classes_are_scored_at_test_time():
    head = MODELS.build(tiny_bbox_head_cfg()).eval()
    cls_score, bbox_pred = head(torch.randn(3, IN_CHANNELS, 7, 7))
    assert cls_score.shape == (3, NUM_CLASSES + 1) and bbox_pred.shape == (3, 4)
    assert torch.isfinite(cls_score).all()
    assert torch.all(cls_score.softmax(-1)[:, NOVEL] > 0)


def test_bbox_head_checks_novel_ids():
    with pytest.raises(ValueError, match=r'\[7\]'):
        MODELS.build(tiny_bbox_head_cfg(novel_class_ids=[1, 7]))


# ------------------------------------------------------------- ensemble
def test_geometric_ensemble_by_hand():
    det = torch.tensor([[0.5, 0.2, 0.1, 0.2]])  # 3 classes + background
    clip = torch.tensor([[0.1, 0.6, 0.3]])
    novel = torch.tensor([False, True, False])
    out = geometric_ensemble(det, clip, novel, alpha=0.25, beta=0.5)
    expected = [0.5**0.75 * 0.1**0.25, (0.2 * 0.6)**0.5,
                0.1**0.75 * 0.3**0.25, 0.2]
    torch.testing.assert_close(out, torch.tensor([expected]))




def proposals():
    bboxes = torch.tensor([[0., 0., 32., 32.], [16., 8., 60., 40.],
                           [4., 20., 30., 62.]])
    return [InstanceData(bboxes=bboxes, scores=torch.ones(3))]


def test_roi_head_ensembles_with_the_dense_clip_map():
    head = MODELS.build(tiny_roi_head_cfg()).eval()
    assert isinstance(head, FViTRoIHead) and head.with_clip_ensemble
    feats = (torch.randn(1, IN_CHANNELS, 16, 16), )
    # a constant CLIP map: every RoI pools the same unit vector
    direction = F.normalize(torch.randn(EMBED_DIM), dim=0)
    clip_map = direction.view(1, -1, 1, 1).repeat(1, 1, 4, 4)
    metas = [dict(img_shape=(64, 64), scale_factor=(1.0, 1.0))]
    with torch.no_grad():
        raw = head.predict_bbox(feats, metas, proposals(), None,
                                clip_map=clip_map)[0]
        det = StandardRoIHead.predict_bbox(head, feats, metas, proposals(),
                                           None)[0]
    clip = (10.0 * direction @ F.normalize(tiny_embeddings(), dim=-1).t()).softmax(-1)
    for row, det_row in zip(raw.scores, det.scores):
        for c in range(NUM_CLASSES):
            w = 0.5 if c in NOVEL else 0.25
            assert row[c].item() == pytest.approx(
                det_row[c].item()**(1 - w) * clip[c].item()**w, rel=1e-5)
        assert row[-1].item() == pytest.approx(det_row[-1].item())
    torch.testing.assert_close(raw.bboxes, det.bboxes)


def test_roi_head_nms_output_and_missing_map():
    head = MODELS.build(tiny_roi_head_cfg()).eval()
    feats = (torch.randn(1, IN_CHANNELS, 16, 16), )
    metas = [dict(img_shape=(64, 64), scale_factor=(1.0, 1.0))]
    clip_map = F.normalize(torch.randn(1, EMBED_DIM, 4, 4), dim=1)
    with torch.no_grad():
        result = head.predict_bbox(feats, metas, proposals(), head.test_cfg,
                                   clip_map=clip_map)[0]
    assert result.bboxes.shape[1] == 4
    assert len(result.bboxes) == len(result.scores) == len(result.labels) > 0
    assert int(result.labels.max()) < NUM_CLASSES
    with pytest.raises(ValueError, match='clip_map'):
        head.predict_bbox(feats, metas, proposals(), head.test_cfg)


def test_ensemble_needs_a_text_classifier():
    with pytest.raises(ValueError, match='TextEmbeddingClassifier'):
        MODELS.build(tiny_roi_head_cfg(bbox_head=dict(
            type='Shared2FCBBoxHead', in_channels=IN_CHANNELS,
            fc_out_channels=32, num_classes=NUM_CLASSES)))


def test_embedding_files_round_trip(tmp_path):
    path = str(tmp_path / 'e.npy')
    save_class_embeddings(path, tiny_embeddings())
    np.testing.assert_allclose(np.load(path), tiny_embeddings().numpy())
