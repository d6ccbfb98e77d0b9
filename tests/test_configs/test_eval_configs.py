"""Every CLIP evaluation config: builds small, and the synthetic ones run
end to end through ``tools/test.py``."""
import glob
import json
import os.path as osp
from pathlib import Path

import open_clip
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from fgclip_det.datasets import generate_synthetic_dataset, write_crop_folder
from fgclip_det.registry import DATASETS, METRICS, MODELS
from fgclip_det.testing import tiny_fgclip_cfg
from fgclip_det.testing.tiny_towers import tiny_family_fgclip_cfg
from fgclip_det.testing.tool_runs import run_tool
from fgclip_det.utils import get_config_path

CONFIG_DIR = osp.dirname(get_config_path('eval/box-cls_vit-tiny_synthetic.py'))
CONFIGS = sorted(osp.basename(p) for p in glob.glob(osp.join(CONFIG_DIR, '*.py')))
SYNTHETIC = [name for name in CONFIGS if name.endswith(('_synthetic.py',
                                                        '_synthetic-long.py',
                                                        '_synthetic-short.py'))]
BENCHMARKS = ('box-cls_{}_coco', 'box-cls_{}_lvis', 'region-ranking_{}_fg-ovd',
              'retrieval_{}_coco-5k', 'retrieval_{}_flickr30k-1k',
              'retrieval_{}_sharegpt4v-1k', 'retrieval_{}_dci',
              'zero-shot_{}_imagenet')
BACKBONES = {'fgclip-vitb16-224px': 224, 'fgclip-vitl14-336px': 336,
             'clip-vitb16-openai': 224}
#: open_clip CLIPs of the other vision-trunk families: (tiny family of
#: fgclip_det.testing.tiny_towers, open_clip architecture, pretrained tag).
FAMILY_BACKBONES = {
    'eva02-clip-b16': ('eva02', 'EVA02-B-16', 'merged2b_s8b_b131k'),
    'siglip2-b16': ('siglip2', 'ViT-B-16-SigLIP2', 'webli'),
}
#: Their benchmarks: all but the long-caption ones.
FAMILY_BENCHMARKS = tuple(b for b in BENCHMARKS
                          if not b.endswith(('_sharegpt4v-1k', '_dci')))
#: FG-CLIP 2 (NaFlex input): the family benchmarks and Chinese retrieval;
#: built and run in tests/test_models/test_evaluators/test_eval_fgclip2.py.
FGCLIP2_CONFIGS = {f'{b.format("fgclip2-base")}.py' for b in FAMILY_BENCHMARKS
                   + ('retrieval_{}_flickr30k-cn-1k', )}
#: CLIPEvalDataPreprocessor resize of a zero-shot config for each open_clip
#: resize_mode (shorter side + centre crop, or both sides).
ZERO_SHOT_RESIZE = {'shortest': 'center_crop', 'squash': 'stretch'}
#: Metric names each synthetic config writes.
SYNTHETIC_METRICS = {
    'box-cls_vit-tiny_synthetic.py': {
        'box_cls/top1', 'box_cls/top5', 'box_cls/mean_class_top1'},
    'region-ranking_vit-tiny_synthetic.py': {
        'fgovd/hard', 'fgovd/medium', 'fgovd/easy', 'fgovd/trivial'},
    'retrieval_vit-tiny_synthetic-long.py': {
        f'retrieval/{d}_R@{k}' for d in ('i2t', 't2i') for k in (1, 5, 10)},
    'retrieval_vit-tiny_synthetic-short.py': {
        f'retrieval/{d}_R@{k}' for d in ('i2t', 't2i') for k in (1, 5, 10)},
    'zero-shot_vit-tiny_synthetic.py': {
        'zero_shot/top1', 'zero_shot/top5', 'zero_shot/mean_class_top1'},
}


def load(name: str) -> Config:
    cfg = Config.fromfile(osp.join(CONFIG_DIR, name))
    init_default_scope(cfg.default_scope)
    return cfg


def test_every_benchmark_and_backbone_has_a_config():
    expected = {f'{b.format(k)}.py' for b in BENCHMARKS for k in BACKBONES}
    expected |= {f'{b.format(k)}.py' for b in FAMILY_BENCHMARKS
                 for k in FAMILY_BACKBONES}
    assert set(CONFIGS) == expected | set(SYNTHETIC_METRICS) | FGCLIP2_CONFIGS


def test_synthetic_clip_is_the_quickstart_clip():
    """The synthetic examples evaluate checkpoints of the quickstart
    pretraining, so they build the same CLIP."""
    [quickstart] = glob.glob(osp.join(osp.dirname(CONFIG_DIR), 'quickstart',
                                      'fgclip-stage2_vit-tiny_*.py'))
    expected = Config.fromfile(quickstart).model.clip
    for name in SYNTHETIC:
        assert load(name).model.clip == expected, name


def test_dataset_bases_describe_data_only():
    """The evaluation models are fragments of configs/_base_/models/; the
    dataset bases hold no ``model``."""
    base_dir = osp.join(osp.dirname(CONFIG_DIR), '_base_', 'datasets')
    paths = glob.glob(osp.join(base_dir, 'eval_*.py'))
    assert paths
    for path in paths:
        assert 'model' not in Config.fromfile(path), path


def open_clip_input(arch: str, tag: str) -> dict:
    """Input size, uint8 mean / std and zero-shot resize of open_clip's
    pretrained config of ``arch`` / ``tag`` (a lookup, no download)."""
    pretrained = open_clip.get_pretrained_cfg(arch, tag)
    return dict(
        size=open_clip.get_model_config(arch)['vision_cfg']['image_size'],
        mean=torch.tensor(pretrained['mean']) * 255,
        std=torch.tensor(pretrained['std']) * 255,
        zero_shot_resize=ZERO_SHOT_RESIZE[pretrained['resize_mode']])


@pytest.mark.parametrize('name', sorted(set(CONFIGS) - FGCLIP2_CONFIGS))
def test_config_builds_small(name):
    """Every config builds, its CLIP swapped for a tiny one of its family so
    that no weights are downloaded; an open_clip CLIP's input is the one of
    its pretrained tag."""
    cfg = load(name)
    backbone = name.split('_')[1]
    expected_input = None
    if backbone in BACKBONES:
        assert cfg.model.data_preprocessor.size == BACKBONES[backbone]
        if backbone.startswith('fgclip'):
            assert cfg.model.clip_checkpoint.startswith('checkpoints/fgclip_')
        else:
            assert cfg.model.clip.pretrained == 'openai'
            expected_input = open_clip_input('ViT-B-16', 'openai')
        cfg.model.pop('clip_checkpoint', None)
        cfg.model.clip = tiny_fgclip_cfg()
    elif backbone in FAMILY_BACKBONES:
        family, arch, tag = FAMILY_BACKBONES[backbone]
        clip = cfg.model.clip
        assert (clip.type, clip.model_name, clip.pretrained) == ('FGCLIP', arch,
                                                                 tag)
        assert 'clip_checkpoint' not in cfg.model
        expected_input = open_clip_input(arch, tag)
        # the config's adapter options must suit a tower of its family
        cfg.model.clip = tiny_family_fgclip_cfg(
            family, trunk_cfg=clip.get('trunk_cfg'))
    model = MODELS.build(cfg.model)
    zero_shot = name.startswith('zero-shot')
    preprocessor = model.data_preprocessor
    if expected_input is not None:
        assert preprocessor.size == expected_input['size']
        torch.testing.assert_close(preprocessor.mean.flatten(),
                                   expected_input['mean'])
        torch.testing.assert_close(preprocessor.std.flatten(),
                                   expected_input['std'])
    if zero_shot and expected_input is not None:
        assert preprocessor.resize == expected_input['zero_shot_resize']
    else:
        assert preprocessor.resize == ('center_crop' if zero_shot else 'stretch')
    assert model.clip.training is True  # the runner switches to eval
    DATASETS.get(cfg.test_dataloader.dataset.type)
    METRICS.build(cfg.test_evaluator)
    assert cfg.test_cfg == dict(type='TestLoop')


@pytest.fixture(scope='module')
def workspace(tmp_path_factory) -> Path:
    """A folder with ``data/synthetic`` (small) and its crop folder."""
    root = tmp_path_factory.mktemp('eval')
    data = root / 'data' / 'synthetic'
    generate_synthetic_dataset(data, num_train=1, num_val=4, image_size=96,
                               progress=False)
    write_crop_folder(str(data / 'annotations' / 'instances_val.json'),
                      str(data / 'images' / 'val'),
                      str(data / 'classification' / 'val'), min_size=4)
    return root


#: (config, --cfg-options): every synthetic config as shipped, and the
#: region-feature configs in crop mode too.
SYNTHETIC_RUNS = [(name, ()) for name in SYNTHETIC] + [
    (name, ('model.region_mode=crop', 'model.crop_scale=1.5'))
    for name in SYNTHETIC if name.startswith(('box-cls', 'region-ranking'))]


@pytest.mark.parametrize('name,options', SYNTHETIC_RUNS,
                         ids=[f'{n}-{"crop" if o else "default"}'
                              for n, o in SYNTHETIC_RUNS])
def test_synthetic_config_runs_test_py(name, options, workspace):
    cfg = load(name)
    # a pretraining runner checkpoint: the CLIP under `clip.`
    pretrainer = MODELS.build(dict(type='FGCLIPPretrainer', clip=cfg.model.clip))
    checkpoint = workspace / 'pretrainer.pth'
    torch.save({'state_dict': pretrainer.state_dict()}, checkpoint)
    work_dir = workspace / 'work_dirs' / f'{name}-{len(options)}'
    cfg_options = ['--cfg-options', *options] if options else []
    proc = run_tool('test.py', osp.join(CONFIG_DIR, name), checkpoint,
                    '--work-dir', work_dir, *cfg_options, cwd=workspace)
    assert 'missing keys' not in proc.stdout + proc.stderr
    [log] = glob.glob(str(work_dir / '*' / '*.json'))
    metrics = json.loads(Path(log).read_text().splitlines()[-1])
    assert SYNTHETIC_METRICS[name] <= set(metrics)
    assert all(0 <= metrics[key] <= 100 for key in SYNTHETIC_METRICS[name])


def test_test_py_without_checkpoint_uses_the_configs_weights(workspace):
    """``tools/test.py CONFIG none``: the weights come from the config's
    ``clip_checkpoint`` (as in the full-size evaluation configs)."""
    name = 'region-ranking_vit-tiny_synthetic.py'
    clip_file = workspace / 'fgclip_tiny.pth'
    MODELS.build(load(name).model.clip).save(str(clip_file))
    work_dir = workspace / 'work_dirs' / 'no-checkpoint'
    proc = run_tool('test.py', osp.join(CONFIG_DIR, name), 'none',
                    '--work-dir', work_dir, '--cfg-options', 'model.clip=None',
                    f'model.clip_checkpoint={clip_file}', cwd=workspace)
    assert 'Load checkpoint' not in proc.stdout + proc.stderr
    [log] = glob.glob(str(work_dir / '*' / '*.json'))
    metrics = json.loads(Path(log).read_text().splitlines()[-1])
    assert SYNTHETIC_METRICS[name] <= set(metrics)
