"""README's inference example runs as written on the quickstart's outputs."""
import re
from pathlib import Path

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.registry import MODELS
from fgclip_det.utils import get_config_path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = 'quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'


def readme_example() -> str:
    """The first Python block of README's inference section."""
    text = (REPO / 'README.md').read_text()
    section = text[text.index('## Inference with any vocabulary'):]
    return re.search(r'```python\n(.*?)```', section, re.S).group(1)


def write_quickstart_outputs(root: Path) -> None:
    """What `bash tools/quickstart.sh` leaves where the example reads it,
    with random weights: the stage-2 FG-CLIP checkpoint the F-ViT config
    names, the F-ViT checkpoint and a synthetic val image."""
    cfg = Config.fromfile(get_config_path(QUICKSTART))
    init_default_scope('fgclip_det')
    torch.manual_seed(0)
    clip = MODELS.build(cfg.model.backbone.clip.to_dict())
    clip_path = root / cfg.model.backbone.clip_checkpoint
    clip_path.parent.mkdir(parents=True)
    torch.save(dict(state_dict={'clip.' + k: v
                                for k, v in clip.state_dict().items()}),
               clip_path)  # an FGCLIPPretrainer checkpoint
    model_cfg = cfg.model
    model_cfg.backbone.clip_checkpoint = str(clip_path)
    model_cfg.roi_head.bbox_head.cls_predictor_cfg.embeddings = torch.randn(
        cfg.num_classes, clip.embed_dim)
    detector = MODELS.build(model_cfg)
    detector.init_weights()
    fvit_path = (root / 'work_dirs' / 'fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic'
                 / 'epoch_2.pth')
    fvit_path.parent.mkdir(parents=True)
    torch.save(dict(state_dict=detector.state_dict()), fvit_path)
    image = root / 'data/synthetic/images/val/000002.png'
    image.parent.mkdir(parents=True)
    rng = np.random.default_rng(0)
    cv2.imwrite(str(image), rng.integers(0, 256, (128, 128, 3), dtype=np.uint8))
    (root / 'configs').symlink_to(REPO / 'configs')


def test_readme_inference_example_runs_on_the_quickstart_outputs(
        tmp_path, monkeypatch, capsys):
    write_quickstart_outputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(readme_example(), namespace)  # noqa: S102  (the README's own code)
    result = namespace['result']
    assert set(result) >= {'bboxes', 'scores', 'labels'}
    assert set(result['labels']) <= {'circle', 'star', 'triangle'}
    assert len(result['bboxes']) == len(result['scores'])
    assert capsys.readouterr().out.strip()
