"""OpenVocabDetector: any vocabulary on the tiny F-ViT, CPU and CUDA."""
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.apis import (
    OpenVocabDetector,
    UnknownModelError,
    set_detector_vocabulary,
)
from fgclip_det.apis.inferencer import config_base_classes, resolve_checkpoint
from fgclip_det.models.clip import FGCLIP
from fgclip_det.models.text import SINGLE_TEMPLATE
from fgclip_det.utils import get_config_path

VOCABULARY = ['red mug', 'blue mug', 'star']


@pytest.fixture(scope='module')
def detector(tiny_fvit):
    return OpenVocabDetector(tiny_fvit.config, tiny_fvit.checkpoint,
                             templates=SINGLE_TEMPLATE)


def check_result(result, vocabulary):
    n = len(result['scores'])
    assert result['bboxes'].shape == (n, 4)
    assert result['label_ids'].shape == (n, )
    assert len(result['labels']) == n
    assert set(result['labels']) <= set(vocabulary)
    assert all(vocabulary[i] == name
               for i, name in zip(result['label_ids'], result['labels']))


def test_detects_a_custom_vocabulary(detector, tiny_fvit):
    result = detector(tiny_fvit.image, VOCABULARY)
    check_result(result, VOCABULARY)
    assert len(result['scores']) > 0
    height, width = 160, 200
    assert (result['bboxes'][:, [0, 2]] <= width + 1e-3).all()
    assert (result['bboxes'][:, [1, 3]] <= height + 1e-3).all()


def test_batch_of_files_and_arrays(detector, tiny_fvit):
    array = mmcv.imread(tiny_fvit.image)
    results = detector([tiny_fvit.image, array], VOCABULARY, batch_size=2)
    assert len(results) == 2
    for result in results:
        check_result(result, VOCABULARY)
    # the same image as a file and as an array gives the same detections
    np.testing.assert_allclose(results[0]['scores'], results[1]['scores'],
                               rtol=1e-4, atol=1e-5)


def test_changing_the_vocabulary_changes_the_classifier(detector, tiny_fvit):
    classifier = detector.model.roi_head.bbox_head.fc_cls
    detector.set_vocabulary(VOCABULARY)
    first = classifier.class_embeddings.clone()
    detector.set_vocabulary(['circle', 'green bottle'])
    second = classifier.class_embeddings
    assert first.shape == (3, detector.clip.embed_dim)
    assert second.shape == (2, detector.clip.embed_dim)
    assert not torch.allclose(first[:2], second)
    assert detector.model.roi_head.bbox_head.num_classes == 2
    check_result(detector(tiny_fvit.image, score_thr=0.0),
                 ['circle', 'green bottle'])


def test_base_and_novel_classes(detector, tiny_fvit):
    # the quickstart trains on every shape except star and heart
    detector.set_vocabulary(['circle', 'star', 'red mug', 'square'])
    novel = detector.model.roi_head.bbox_head.novel_mask.tolist()
    assert novel == [False, True, True, False, False]


def test_text_embeddings_are_the_prompt_ensemble(detector, tiny_fvit):
    detector.set_vocabulary(['red mug'])
    clip = FGCLIP.from_checkpoint(tiny_fvit.clip_checkpoint).eval()
    with torch.no_grad():
        expected = clip.encode_text(['a photo of a red mug.'], normalize=True)
    torch.testing.assert_close(
        detector.model.roi_head.bbox_head.fc_cls.class_embeddings, expected,
        rtol=1e-4, atol=1e-5)


def test_bad_vocabularies(detector):
    with pytest.raises(ValueError, match='duplicate'):
        detector.set_vocabulary(['mug', 'mug'])
    with pytest.raises(ValueError, match='width'):
        set_detector_vocabulary(detector.model, torch.randn(2, 7), [True, True])


def test_checkpoints_are_files_or_model_index_names(tiny_fvit, tmp_path):
    assert resolve_checkpoint(tiny_fvit.checkpoint) == tiny_fvit.checkpoint
    with pytest.raises(FileNotFoundError, match='no checkpoint file'):
        resolve_checkpoint(str(tmp_path / 'missing.pth'))
    with pytest.raises(UnknownModelError, match='did you mean'):
        resolve_checkpoint('fgclip_vitb16_upstream')


def test_missing_clip_weights_are_reported(tiny_fvit):
    cfg = Config.fromfile(tiny_fvit.config)
    cfg.model.backbone.clip_checkpoint = None
    with pytest.raises(ValueError, match='clip_checkpoint'):
        OpenVocabDetector(cfg, tiny_fvit.checkpoint)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda(tiny_fvit):
    detector = OpenVocabDetector(tiny_fvit.config, tiny_fvit.checkpoint,
                                 templates=SINGLE_TEMPLATE, device='cuda')
    check_result(detector(tiny_fvit.image, VOCABULARY), VOCABULARY)


@pytest.mark.parametrize('config, num_base', [
    ('fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py', 48),
    ('fvit/fvit_vitb16-fgclip_fpn_8xb8-48e_ov-lvis.py', 1203 - 337),
])
def test_base_classes_of_the_shipped_configs(config, num_base):
    cfg = Config.fromfile(get_config_path(config))
    init_default_scope('fgclip_det')
    base = config_base_classes(cfg)
    assert len(base) == len(set(base)) == num_base
