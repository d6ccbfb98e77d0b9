"""A tiny F-ViT with random weights: config, checkpoints and an image."""
import copy
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.registry import MODELS
from fgclip_det.utils import get_config_path

QUICKSTART = 'quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'


@pytest.fixture(scope='session')
def tiny_fvit(tmp_path_factory) -> SimpleNamespace:
    """Files of the quickstart F-ViT with random weights.

    Attributes: ``config`` (its FG-CLIP checkpoint set), ``checkpoint``
    (detector), ``clip_checkpoint`` (toolkit ``FGCLIP``), ``image`` (a
    160 x 200 PNG) and ``classes`` (the config's).
    """
    folder = tmp_path_factory.mktemp('tiny_fvit')
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    init_default_scope('fgclip_det')
    torch.manual_seed(0)
    # plain dicts: a ConfigDict in the checkpoint's meta would not load
    # with weights_only=True
    clip = MODELS.build(cfg.model.backbone.clip.to_dict())
    clip_checkpoint = str(folder / 'fgclip_tiny.pth')
    clip.save(clip_checkpoint)

    cfg.model.backbone.update(clip_checkpoint=clip_checkpoint,
                              clip_checkpoint_prefix='clip.visual.')
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.roi_head.bbox_head.cls_predictor_cfg.embeddings = torch.randn(
        cfg.num_classes, clip.embed_dim)
    detector = MODELS.build(model_cfg)
    detector.init_weights()
    checkpoint = str(folder / 'fvit_tiny.pth')
    torch.save(dict(state_dict=detector.state_dict()), checkpoint)
    config = str(folder / 'fvit_tiny.py')
    cfg.dump(config)

    image = str(folder / 'image.png')
    rng = np.random.default_rng(0)
    cv2.imwrite(image, rng.integers(0, 256, (160, 200, 3), dtype=np.uint8))
    return SimpleNamespace(config=config, checkpoint=checkpoint,
                           clip_checkpoint=clip_checkpoint, image=image,
                           classes=tuple(cfg.classes), folder=Path(folder))
