"""CLIP evaluation models: preprocessing, region features, predictions."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from fgclip_det.evaluation import (
    ClassificationAccuracyMetric,
    FGOVDAccuracyMetric,
)
from fgclip_det.models.clip.constants import CLIP_MEAN
from fgclip_det.models.evaluators import (
    CLIPEvalDataPreprocessor,
    crop_boxes,
    encode_box_regions,
)
from fgclip_det.models.text import IMAGENET_TEMPLATES, save_class_embeddings
from fgclip_det.registry import MODELS
from fgclip_det.testing import TINY_IMAGE_SIZE, build_tiny_fgclip, tiny_fgclip_cfg

init_default_scope('fgclip_det')


def det_sample(boxes=None, **metainfo) -> DetDataSample:
    sample = DetDataSample(metainfo=metainfo)
    if boxes is not None:
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32),
            labels=torch.zeros(len(boxes), dtype=torch.long))
    return sample


def images(num: int = 2) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(num, 3, TINY_IMAGE_SIZE, TINY_IMAGE_SIZE,
                       generator=generator)


# ------------------------------------------------------------ preprocessing
def test_stretch_resizes_images_and_boxes():
    preprocessor = CLIPEvalDataPreprocessor(size=10)
    mean = torch.tensor(CLIP_MEAN).view(3, 1, 1) * 255
    image = (mean * torch.ones(3, 20, 40)).round().to(torch.uint8)
    sample = det_sample([[0, 0, 40, 20], [10, 5, 20, 10]])
    out = preprocessor(dict(inputs=[image], data_samples=[sample]))
    assert out['inputs'].shape == (1, 3, 10, 10)
    assert out['inputs'].abs().max() < 0.02  # the mean maps to 0
    sample = out['data_samples'][0]
    torch.testing.assert_close(
        sample.gt_instances.bboxes,
        torch.tensor([[0., 0., 10., 10.], [2.5, 2.5, 5., 5.]]))
    assert sample.img_shape == (10, 10)


def test_center_crop_shifts_boxes():
    preprocessor = CLIPEvalDataPreprocessor(size=10, resize='center_crop')
    sample = det_sample([[10, 0, 30, 20]])
    out = preprocessor(dict(inputs=[torch.zeros(3, 20, 40, dtype=torch.uint8)],
                            data_samples=[sample]))
    assert out['inputs'].shape == (1, 3, 10, 10)
    # 20 x 40 -> 10 x 20, then the middle 10 columns (5..15)
    torch.testing.assert_close(out['data_samples'][0].gt_instances.bboxes,
                               torch.tensor([[0., 0., 10., 10.]]))


def test_preprocessor_rejects_bad_options():
    with pytest.raises(ValueError, match="'squash'"):
        CLIPEvalDataPreprocessor(resize='squash')
    with pytest.raises(ValueError, match='size'):
        CLIPEvalDataPreprocessor(size=0)


# ---------------------------------------------------------- region features
def test_crop_boxes_enlarges_about_the_centre_and_clips():
    image = torch.arange(64.).view(1, 1, 8, 8).expand(1, 3, 8, 8)
    torch.testing.assert_close(
        crop_boxes(image, [torch.tensor([[2., 2., 4., 4.]])], 2.0, 4),
        crop_boxes(image, [torch.tensor([[1., 1., 5., 5.]])], 1.0, 4))
    torch.testing.assert_close(
        crop_boxes(image, [torch.tensor([[6., 6., 8., 8.]])], 3.0, 4),
        crop_boxes(image, [torch.tensor([[4., 4., 8., 8.]])], 1.0, 4))


@torch.no_grad()
def test_roi_and_crop_region_features():
    clip = build_tiny_fgclip()
    inputs = images()
    boxes = [torch.tensor([[0., 0., 32., 32.], [16., 8., 64., 40.]]),
             torch.tensor([[4., 4., 60., 60.]])]
    roi = encode_box_regions(clip, inputs, boxes, 'roi')
    torch.testing.assert_close(
        roi, clip.encode_regions(inputs, boxes, normalize=True))
    crop = encode_box_regions(clip, inputs, boxes, 'crop', crop_scale=1.5,
                              crop_size=TINY_IMAGE_SIZE)
    expected = clip.encode_image(
        crop_boxes(inputs, boxes, 1.5, TINY_IMAGE_SIZE), normalize=True)
    torch.testing.assert_close(crop, expected)
    for features in (roi, crop):
        assert features.shape == (3, clip.embed_dim)
        torch.testing.assert_close(features.norm(dim=1), torch.ones(3))
    empty = [torch.zeros(0, 4), torch.zeros(0, 4)]
    assert encode_box_regions(clip, inputs, empty, 'crop').shape == (
        0, clip.embed_dim)
    with pytest.raises(ValueError, match="'mask'"):
        encode_box_regions(clip, inputs, boxes, 'mask')


# ------------------------------------------------------------------ models
def build(type_: str, **kwargs):
    return MODELS.build(
        dict(type=type_, clip=tiny_fgclip_cfg(),
             data_preprocessor=dict(type='CLIPEvalDataPreprocessor',
                                    size=TINY_IMAGE_SIZE),
             **kwargs)).eval()


@pytest.mark.parametrize('region_mode', ['roi', 'crop'])
@torch.no_grad()
def test_box_classifier_scores_every_box(region_mode):
    model = build('CLIPBoxClassifier', vocabulary='circle,square,star',
                  templates='single', region_mode=region_mode)
    samples = [det_sample([[0, 0, 30, 30], [10, 10, 60, 50]]),
               det_sample([[5, 5, 20, 40]])]
    out = model(images(), samples, mode='predict')
    assert [s.pred_scores.shape for s in out] == [(2, 3), (1, 3)]
    assert out[0].gt_labels.tolist() == [0, 0]
    assert out[0].pred_scores.abs().max() <= 1 + 1e-5  # cosine


def test_evaluators_only_predict():
    model = build('CLIPRetriever')
    with pytest.raises(ValueError, match="'loss'"):
        model(images(1), [det_sample(captions=['a'])], mode='loss')


def test_box_classifier_oracle_scores_100(tmp_path, monkeypatch):
    """Regions equal to their class embedding are all classified right."""
    model = build('CLIPBoxClassifier',
                  class_embeddings=str(tmp_path / 'classes.pt'))
    dim = model.clip.embed_dim
    save_class_embeddings(str(tmp_path / 'classes.pt'), torch.eye(3, dim))
    labels = [torch.tensor([2, 0]), torch.tensor([1])]
    monkeypatch.setattr(
        model.clip, 'encode_regions', lambda *args, **kwargs: torch.eye(
            3, dim)[torch.cat(labels)])
    samples = [det_sample([[0, 0, 9, 9], [1, 1, 9, 9]]),
               det_sample([[2, 2, 9, 9]])]
    for sample, sample_labels in zip(samples, labels):
        sample.gt_instances.labels = sample_labels
    metric = ClassificationAccuracyMetric(topk=(1, ))
    metric.process({}, [s.to_dict() for s in model.predict(images(), samples)])
    assert metric.evaluate(size=2) == {'classification/top1': 100.0,
                                       'classification/mean_class_top1': 100.0}


def test_fgovd_ranker_oracle_scores_100(monkeypatch):
    """A model embedding each box like its positive text gets 100 %."""
    model = build('CLIPFGOVDRanker')
    dim = model.clip.embed_dim
    monkeypatch.setattr(
        model.clip, 'encode_regions',
        lambda images, boxes, **kwargs: F.one_hot(torch.zeros(
            len(boxes), dtype=torch.long), dim).float())
    monkeypatch.setattr(
        model.clip, 'encode_text', lambda texts, **kwargs: torch.stack([
            F.one_hot(torch.tensor(int(not t.startswith('true'))), dim).float()
            for t in texts
        ]))
    samples = [
        det_sample([[0, 0, 9, 9]], test_type='1_attributes',
                   texts=['true red', 'blue', 'green']),
        det_sample([[1, 1, 9, 9]], test_type='shuffle_negatives',
                   texts=['true cat'] + [f'dog {i}' for i in range(10)]),
    ]
    metric = FGOVDAccuracyMetric()
    metric.process({}, [s.to_dict() for s in model.predict(images(), samples)])
    assert metric.evaluate(size=2) == {'fgovd/hard': 100.0,
                                       'fgovd/trivial': 100.0}


@torch.no_grad()
def test_fgovd_ranker_scores_positive_first():
    model = build('CLIPFGOVDRanker')
    texts = ['a red circle', 'a blue circle', 'a red square']
    out = model.predict(images(1), [det_sample([[0, 0, 40, 40]], texts=texts)])
    region = model.clip.encode_regions(images(1), [torch.tensor(
        [[0., 0., 40., 40.]])], normalize=True)[0]
    torch.testing.assert_close(
        out[0].text_scores,
        model.clip.encode_text(texts, normalize=True) @ region)
    with pytest.raises(ValueError, match='one box'):
        model.predict(images(1), [det_sample([[0, 0, 9, 9], [1, 1, 9, 9]],
                                             texts=texts)])


@pytest.mark.parametrize('long_text', [False, True])
@torch.no_grad()
def test_retriever_uses_the_chosen_text_path(long_text):
    model = build('CLIPRetriever', long_text=long_text)
    captions = [['a red circle', 'two shapes'], ['a blue star']]
    out = model.predict(images(), [det_sample(captions=c) for c in captions])
    torch.testing.assert_close(
        out[0].text_embeddings,
        model.clip.encode_text(captions[0], long=long_text, normalize=True))
    torch.testing.assert_close(
        out[1].image_embedding,
        model.clip.encode_image(images(), normalize=True)[1])


@torch.no_grad()
def test_zero_shot_classifier_reads_class_folders(tmp_path):
    for name in ('dog', 'cat'):
        (tmp_path / name).mkdir()
    model = build('CLIPZeroShotClassifier', vocabulary=str(tmp_path))
    out = model.predict(images(), [det_sample(gt_label=1),
                                   det_sample(gt_label=0)])
    assert out[0].pred_scores.shape == (1, 2)
    assert [s.gt_labels.tolist() for s in out] == [[1], [0]]
    # class order = sorted folders, prompts = CLIP's 80 ImageNet templates
    embeddings = model.class_text_embeddings(model.clip)
    cat = F.normalize(model.clip.encode_text(
        [t.format('cat') for t in IMAGENET_TEMPLATES], normalize=True).mean(0),
        dim=-1)
    torch.testing.assert_close(embeddings[0], cat)


def test_imagenet_templates():
    assert len(IMAGENET_TEMPLATES) == 80
    assert len(set(IMAGENET_TEMPLATES)) == 80
    assert all(t.count('{}') == 1 for t in IMAGENET_TEMPLATES)


def test_class_embedding_options_are_checked(tmp_path):
    with pytest.raises(ValueError, match='exactly one'):
        build('CLIPBoxClassifier')
    with pytest.raises(ValueError, match="'coco'"):
        build('CLIPBoxClassifier', vocabulary='a,b', templates='coco')
    save_class_embeddings(str(tmp_path / 'wide.pt'), torch.eye(2, 7))
    model = build('CLIPBoxClassifier', class_embeddings=str(tmp_path / 'wide.pt'))
    with pytest.raises(ValueError, match='width 7'):
        model.class_text_embeddings(model.clip)


def test_weights_from_a_toolkit_checkpoint_or_a_pretrainer(tmp_path):
    clip = build_tiny_fgclip(seed=3)
    clip.save(str(tmp_path / 'tiny.pth'))
    model = MODELS.build(dict(type='CLIPRetriever',
                              clip_checkpoint=str(tmp_path / 'tiny.pth')))
    torch.testing.assert_close(model.clip.state_dict(), clip.state_dict())
    with pytest.raises(ValueError, match='exactly one'):
        MODELS.build(dict(type='CLIPRetriever', clip=tiny_fgclip_cfg(),
                          clip_checkpoint=str(tmp_path / 'tiny.pth')))
    # FGCLIPPretrainer checkpoints hold the CLIP under the same `clip.` keys
    pretrainer = MODELS.build(dict(type='FGCLIPPretrainer',
                                   clip=tiny_fgclip_cfg()))
    evaluator = build('CLIPRetriever')
    result = evaluator.load_state_dict(pretrainer.state_dict(), strict=False)
    assert result.missing_keys == []


def test_region_options_are_checked():
    with pytest.raises(ValueError, match="'mask'"):
        build('CLIPFGOVDRanker', region_mode='mask')
    with pytest.raises(ValueError, match='crop_scale'):
        build('CLIPBoxClassifier', vocabulary='a,b', crop_scale=0)
    model = build('CLIPFGOVDRanker', region_mode='crop')
    assert model.region_encoder.crop_size == TINY_IMAGE_SIZE  # the input size
