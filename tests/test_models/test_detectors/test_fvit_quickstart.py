"""The F-ViT quickstart chain on a tiny synthetic set: FG-CLIP weights ->
class embeddings (tools/build_text_embeddings.py) -> train, validate and
test with the MMEngine runner."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from fgclip_det.datasets.synthetic import generate_synthetic_dataset
from fgclip_det.datasets.synthetic.generator import DEFAULT_NOVEL_CLASSES
from fgclip_det.models.text.class_embeddings import save_class_embeddings
from fgclip_det.registry import MODELS
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[3]
QUICKSTART = 'quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'


def test_split_matches_the_synthetic_set():
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    bbox_head = cfg.model.roi_head.bbox_head
    assert tuple(cfg.novel_classes) == DEFAULT_NOVEL_CLASSES
    assert [cfg.classes[i] for i in bbox_head.novel_class_ids] == list(
        DEFAULT_NOVEL_CLASSES)
    assert tuple(cfg.val_evaluator.novel_classes) == DEFAULT_NOVEL_CLASSES


def test_quickstart_detector_is_seeded(tmp_path):
    """The runner seeds the quickstart detector: the same weights from the
    same config (its figures repeat run to run), others from another seed."""
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    embeddings = str(tmp_path / 'shapes.pt')  # the class embeddings' shape
    save_class_embeddings(embeddings, torch.randn(
        cfg.model.roi_head.bbox_head.num_classes, cfg.clip_dim))

    def initial_neck(seed=None):
        cfg = Config.fromfile(get_config_path(QUICKSTART))
        cfg.work_dir = str(tmp_path / f'work{seed}')
        cfg.model.roi_head.bbox_head.cls_predictor_cfg.embeddings = embeddings
        if seed is not None:
            cfg.randomness.seed = seed
        return Runner.from_cfg(cfg).model.neck.state_dict()

    first, again, other = initial_neck(), initial_neck(), initial_neck(seed=1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)


@pytest.mark.slow
def test_quickstart_chain(tmp_path):
    data_root = tmp_path / 'synthetic'
    generate_synthetic_dataset(data_root, num_train=4, num_val=2,
                               image_size=128, seed=0, progress=False)
    config = get_config_path(QUICKSTART)
    cfg = Config.fromfile(config)

    # an FGCLIPPretrainer-style checkpoint of the quickstart CLIP
    clip = MODELS.build(cfg.model.backbone.clip)
    clip_ckpt = str(tmp_path / 'fgclip_pretrainer.pth')
    torch.save(dict(state_dict={'clip.' + k: v
                                for k, v in clip.state_dict().items()}),
               clip_ckpt)
    embeddings = str(tmp_path / 'shapes.pt')
    subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'build_text_embeddings.py'),
         clip_ckpt, '--config', config, '--prefix', 'clip.', '--vocab',
         str(data_root / 'annotations' / 'instances_val.json'), '--out',
         embeddings, '--templates', 'single'],
        check=True, cwd=REPO, capture_output=True)

    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.backbone.clip_checkpoint = clip_ckpt
    cfg.model.roi_head.bbox_head.cls_predictor_cfg.embeddings = embeddings
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
        loader.dataset.data_root = str(data_root) + '/'
    cfg.test_dataloader = cfg.val_dataloader
    cfg.val_evaluator.ann_file = str(
        data_root / 'annotations' / 'instances_val.json')
    cfg.test_evaluator = cfg.val_evaluator
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint.interval = 1
    cfg.default_hooks.visualization = dict(type='DetVisualizationHook')

    runner = Runner.from_cfg(cfg)
    runner.train()
    backbone = runner.model.backbone
    torch.testing.assert_close(backbone.visual.conv1.weight,
                               clip.visual.conv1.weight)
    metrics = runner.test()
    for split in ('novel', 'base', 'all'):
        assert 0.0 <= metrics[f'coco/bbox_AP50_{split}'] <= 1.0
    assert (Path(cfg.work_dir) / 'epoch_1.pth').is_file()
