"""FG-CLIP 2 in the CLIP evaluation suite, with a tiny released-layout model.

NaFlex input (each image on its own grid, boxes following the resize), the
region-text path (box walk) for region-vs-text matching, checkpoints of
either family, Chinese captions, and the ``*_fgclip2-base_*`` configs:
built, and run through mmengine's test loop on the synthetic set.
"""
import glob
import json
import math
import os.path as osp
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pytest
import torch
from mmdet.datasets.transforms import PackDetInputs
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from fgclip_det.datasets import write_crop_folder
from fgclip_det.datasets.transforms import NaFlexResize
from fgclip_det.evaluation import RetrievalRecallMetric
from fgclip_det.models.clip import FGCLIP, FGCLIP2
from fgclip_det.models.evaluators import NaFlexEvalDataPreprocessor
from fgclip_det.registry import DATASETS, METRICS, MODELS, RUNNERS
from fgclip_det.structures import NaFlexBatch
from fgclip_det.testing import build_tiny_fgclip, tiny_fgclip_cfg
from fgclip_det.testing.tiny_fgclip2 import SPECIAL_TOKENS, write_tiny_fgclip2
from fgclip_det.utils import get_config_path

init_default_scope('fgclip_det')

CONFIG_DIR = osp.dirname(get_config_path('eval/box-cls_fgclip2-base_coco.py'))
CONFIGS = sorted(osp.basename(p) for p in
                 glob.glob(osp.join(CONFIG_DIR, '*_fgclip2-base_*.py')))
CLASSES = ('circle', 'square', 'star')
#: Raw ``(H, W)`` of two images of different aspect ratios (so different
#: NaFlex grids) and boxes in their pixels, xyxy.
RAW_SIZES = [(48, 80), (96, 40)]
RAW_BOXES = [[[4, 2, 40, 30], [50, 10, 78, 46]], [[0, 0, 40, 96]]]
ZH_CAPTIONS = [['灰色背景上的红色圆形', '两个形状'], ['一颗蓝色的星星']]


def write_char_tokenizer(path: str, chars: Sequence[str]) -> None:
    """A character-level ``tokenizer.json`` with the ids of
    :func:`write_tiny_fgclip2` (special tokens, then ``chars``)."""
    from tokenizers import Regex, Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from tokenizers.processors import TemplateProcessing
    vocab = {token: i for i, token in enumerate([*SPECIAL_TOKENS, *chars])}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token='<unk>'))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Split(Regex('.'), behavior='isolated')])
    tokenizer.post_processor = TemplateProcessing(
        single='$A <eos>', special_tokens=[('<eos>', vocab['<eos>'])])
    tokenizer.save(path)


@pytest.fixture(scope='module')
def tiny_folder(tmp_path_factory) -> str:
    return write_tiny_fgclip2(str(tmp_path_factory.mktemp('fgclip2')))


@pytest.fixture(scope='module')
def zh_folder(tmp_path_factory) -> str:
    """A tiny FG-CLIP 2 whose tokenizer reads the Chinese captions."""
    chars = sorted({c for captions in ZH_CAPTIONS for text in captions
                    for c in text})
    folder = write_tiny_fgclip2(str(tmp_path_factory.mktemp('fgclip2_zh')),
                                words=chars)
    write_char_tokenizer(osp.join(folder, 'tokenizer.json'), chars)
    return folder


def build(type_: str, folder: str, preprocessor: Optional[dict] = None,
          **kwargs):
    """An evaluator of the tiny FG-CLIP 2; logit scale and bias set
    mid-range (bias -10 puts every score near 0) and the box walk moved off
    the short one (the tiny model starts them as copies)."""
    model = MODELS.build(dict(
        type=type_, clip=dict(type='FGCLIP2', pretrained=folder),
        data_preprocessor=preprocessor or dict(
            type='NaFlexEvalDataPreprocessor'),
        **kwargs)).eval()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        model.clip.logit_scale.fill_(math.log(6.0))
        model.clip.logit_bias.fill_(-1.5)
        for param in model.clip.box_text_projection.parameters():
            param.add_(0.1 * torch.randn(param.shape, generator=generator))
    return model


def unresized_batch(boxes=None, **metainfo) -> dict:
    """:func:`raw_batch` without the resize (the preprocessor's job)."""
    return raw_batch(boxes, resize=False, **metainfo)


def raw_batch(boxes=None, resize=True, **metainfo) -> dict:
    """Random uint8 images of :data:`RAW_SIZES` through ``NaFlexResize``
    (unless not ``resize``) and ``PackDetInputs``; per-image ``metainfo``
    lists."""
    transform = NaFlexResize(patch_size=16, dynamic_max_patches=True)
    pack = PackDetInputs(meta_keys=('ori_shape', 'img_shape', 'naflex_grid',
                                    *metainfo))
    rng = np.random.default_rng(0)
    inputs, samples = [], []
    for index, (height, width) in enumerate(RAW_SIZES):
        results = dict(img=rng.integers(0, 256, (height, width, 3),
                                        dtype=np.uint8),
                       ori_shape=(height, width), img_shape=(height, width),
                       **{key: values[index] for key, values in metainfo.items()})
        if boxes is not None:
            results.update(
                gt_bboxes=HorizontalBoxes(np.array(boxes[index], np.float32)),
                gt_bboxes_labels=np.zeros(len(boxes[index]), np.int64),
                gt_ignore_flags=np.zeros(len(boxes[index]), bool))
        packed = pack(transform(results) if resize else results)
        inputs.append(packed['inputs'])
        samples.append(packed['data_samples'])
    return dict(inputs=inputs, data_samples=samples)


def raw_boxes(boxes) -> list:
    return [torch.tensor(b, dtype=torch.float32) for b in boxes]


# ------------------------------------------------------------- NaFlex input
def test_preprocessor_resize_equals_the_pipeline_transform():
    """The configs resize in the preprocessor; the pipeline's NaFlexResize
    gives the same patches, grids and boxes."""
    piped = NaFlexEvalDataPreprocessor()(raw_batch(RAW_BOXES))
    raw = unresized_batch(RAW_BOXES)
    resized = NaFlexEvalDataPreprocessor(
        resize=dict(dynamic_max_patches=True))(raw)
    assert resized['inputs'].grids() == piped['inputs'].grids()
    torch.testing.assert_close(resized['inputs'].patches, piped['inputs'].patches)
    for a, b in zip(resized['data_samples'], piped['data_samples']):
        torch.testing.assert_close(a.gt_instances.bboxes.tensor,
                                   b.gt_instances.bboxes.tensor)
        assert a.img_shape == b.img_shape


@torch.no_grad()
def test_box_classifier_pools_each_image_on_its_own_grid(tiny_folder):
    model = build('CLIPBoxClassifier', tiny_folder,
                  vocabulary=','.join(CLASSES), templates='single')
    data = model.data_preprocessor(raw_batch(RAW_BOXES))
    batch = data['inputs']
    assert isinstance(batch, NaFlexBatch)
    assert batch.grids() == [s.naflex_grid for s in data['data_samples']]
    assert batch.grids()[0] != batch.grids()[1]
    out = model(**data, mode='predict')
    # by hand: the raw boxes mapped onto each grid as the public code does
    # (x / W * w), from the raw image sizes
    regions = model.clip.encode_regions(batch, raw_boxes(RAW_BOXES),
                                        normalize=True, image_sizes=RAW_SIZES)
    prompts = [f'a photo of a {name}.' for name in CLASSES]
    boxes_walk = model.clip.encode_region_text(prompts, normalize=True)
    scores = torch.cat([s.pred_scores for s in out])
    torch.testing.assert_close(scores,
                               model.clip.match_scores(regions, boxes_walk))
    short_walk = model.clip.encode_text(prompts, normalize=True)
    assert not torch.allclose(
        scores, model.clip.match_scores(regions, short_walk), atol=1e-4)


@torch.no_grad()
def test_fgovd_ranker_scores_box_walk_texts(tiny_folder):
    texts = [['a red circle', 'a blue circle'],
             ['a big star', 'a small star', 'two stars']]
    model = build('CLIPFGOVDRanker', tiny_folder)
    boxes = [RAW_BOXES[0][:1], RAW_BOXES[1]]
    data = model.data_preprocessor(raw_batch(boxes, texts=texts))
    out = model(**data, mode='predict')
    regions = model.clip.encode_regions(data['inputs'], raw_boxes(boxes),
                                        normalize=True, image_sizes=RAW_SIZES)
    for sample, region, candidates in zip(out, regions, texts):
        torch.testing.assert_close(sample.text_scores, model.clip.match_scores(
            region[None], model.clip.encode_region_text(candidates,
                                                        normalize=True))[0])


@torch.no_grad()
def test_square_input_still_works_for_fgclip2(tiny_folder):
    model = build('CLIPBoxClassifier', tiny_folder, preprocessor=dict(
        type='CLIPEvalDataPreprocessor', size=64, mean=(127.5, ) * 3,
        std=(127.5, ) * 3), vocabulary=','.join(CLASSES), templates='single')
    generator = torch.Generator().manual_seed(0)
    raw = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8,
                         generator=generator) for h, w in RAW_SIZES]
    samples = [DetDataSample(gt_instances=InstanceData(
        bboxes=boxes, labels=torch.zeros(len(boxes), dtype=torch.long)))
        for boxes in raw_boxes(RAW_BOXES)]
    data = model.data_preprocessor(dict(inputs=raw, data_samples=samples))
    assert data['inputs'].shape == (2, 3, 64, 64)
    out = model(**data, mode='predict')
    regions = model.clip.encode_regions(
        data['inputs'], [s.gt_instances.bboxes for s in data['data_samples']],
        normalize=True)
    classes = model.clip.encode_region_text(
        [f'a photo of a {name}.' for name in CLASSES], normalize=True)
    torch.testing.assert_close(torch.cat([s.pred_scores for s in out]),
                               model.clip.match_scores(regions, classes))


@torch.no_grad()
def test_chinese_captions_go_through_retrieval(zh_folder):
    model = build('CLIPRetriever', zh_folder)
    flat = [text for captions in ZH_CAPTIONS for text in captions]
    ids, mask = model.clip.tokenize(flat)
    assert not (ids == SPECIAL_TOKENS.index('<unk>')).any()
    assert mask.sum(1).tolist() == [len(text) + 1 for text in flat]  # + <eos>
    data = model.data_preprocessor(raw_batch(captions=ZH_CAPTIONS))
    out = model(**data, mode='predict')
    torch.testing.assert_close(
        torch.cat([s.text_embeddings for s in out]),
        model.clip.encode_text(flat, normalize=True))
    torch.testing.assert_close(
        torch.stack([s.image_embedding for s in out]),
        model.clip.encode_image(data['inputs'], normalize=True))
    metric = RetrievalRecallMetric(recall_ks=(1, 2))
    metric.process({}, [s.to_dict() for s in out])
    assert metric.evaluate(size=2)['retrieval/t2i_R@2'] == 100.0


# ---------------------------------------------------------- model and input
def test_clip_checkpoint_of_either_family(tiny_folder, tmp_path):
    fgclip2 = FGCLIP2(pretrained=tiny_folder)
    fgclip2.save(str(tmp_path / 'fgclip2.pth'))
    build_tiny_fgclip().save(str(tmp_path / 'fgclip.pth'))
    naflex = dict(type='NaFlexEvalDataPreprocessor')
    model = MODELS.build(dict(type='CLIPRetriever', data_preprocessor=naflex,
                              clip_checkpoint=str(tmp_path / 'fgclip2.pth')))
    assert type(model.clip) is FGCLIP2
    torch.testing.assert_close(model.clip.state_dict(), fgclip2.state_dict())
    model = MODELS.build(dict(type='CLIPRetriever',
                              clip_checkpoint=str(tmp_path / 'fgclip.pth')))
    assert type(model.clip) is FGCLIP
    torch.save({'state_dict': {}, 'meta': dict(model_type='CLIP3')},
               tmp_path / 'other.pth')
    with pytest.raises(ValueError, match="'CLIP3'"):
        MODELS.build(dict(type='CLIPRetriever',
                          clip_checkpoint=str(tmp_path / 'other.pth')))


def test_naflex_input_is_checked(tiny_folder):
    fgclip2 = dict(type='FGCLIP2', pretrained=tiny_folder)
    with pytest.raises(ValueError, match='only FGCLIP2'):
        MODELS.build(dict(type='CLIPRetriever', clip=tiny_fgclip_cfg(),
                          data_preprocessor=dict(
                              type='NaFlexEvalDataPreprocessor')))
    with pytest.raises(ValueError, match='patch_size 8'):
        MODELS.build(dict(type='CLIPRetriever', clip=fgclip2,
                          data_preprocessor=dict(
                              type='NaFlexEvalDataPreprocessor', patch_size=8)))
    with pytest.raises(ValueError, match='needs a crop_size'):
        build('CLIPFGOVDRanker', tiny_folder, region_mode='crop')
    model = build('CLIPFGOVDRanker', tiny_folder, region_mode='crop',
                  crop_size=64)
    data = model.data_preprocessor(raw_batch([[[0, 0, 9, 9]]] * 2,
                                             texts=[['a', 'b']] * 2))
    with pytest.raises(ValueError, match="'crop' crops an image tensor"):
        model(**data, mode='predict')


# ------------------------------------------------------------------ configs
def load(name: str) -> Config:
    return Config.fromfile(osp.join(CONFIG_DIR, name))


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_with_a_tiny_folder(name, tiny_folder):
    cfg = load(name)
    assert cfg.model.clip == dict(type='FGCLIP2',
                                  pretrained='checkpoints/fg-clip2-base')
    assert not any(t.type == 'NaFlexResize'
                   for t in cfg.test_dataloader.dataset.pipeline)
    assert cfg.model.data_preprocessor == dict(
        type='NaFlexEvalDataPreprocessor', patch_size=16,
        resize=dict(dynamic_max_patches=True))
    cfg.model.clip.pretrained = tiny_folder
    model = MODELS.build(cfg.model)
    assert isinstance(model.clip, FGCLIP2)
    assert isinstance(model.data_preprocessor, NaFlexEvalDataPreprocessor)
    if name.startswith('retrieval'):
        assert model.long_text is False
    if name.startswith('box-cls'):
        assert model.class_text_embeddings.region_text is True
    if name.endswith('-cn-1k.py'):
        assert cfg.test_dataloader.dataset.ann_file == 'dataset_flickr30k_cn.json'
    DATASETS.get(cfg.test_dataloader.dataset.type)
    METRICS.build(cfg.test_evaluator)


@pytest.fixture(scope='module')
def synthetic(data_root) -> Path:
    """The synthetic set plus a Karpathy-layout file of Chinese captions and
    a class-folder set of its object crops."""
    records = json.loads((data_root / 'retrieval' / 'val.json').read_text())
    images = [dict(filename=r['img_path'], split='test',
                   sentences=[dict(raw=t) for t in captions])
              for r, captions in zip(records, ZH_CAPTIONS)]
    (data_root / 'dataset_flickr30k_cn.json').write_text(
        json.dumps(dict(images=images), ensure_ascii=False), encoding='utf-8')
    write_crop_folder(str(data_root / 'annotations' / 'instances_val.json'),
                      str(data_root / 'images' / 'val'),
                      str(data_root / 'crops' / 'val'), min_size=4)
    return data_root


def synthetic_options(name: str, root: Path) -> dict:
    """Config options pointing a benchmark config at the synthetic set."""
    if name.startswith('box-cls'):
        ann_file = 'annotations/instances_val.json'
        return {'model.vocabulary': f'{root}/{ann_file}',
                'test_dataloader.dataset.ann_file': ann_file,
                'test_dataloader.dataset.data_prefix.img': 'images/val/'}
    if name.startswith('zero-shot'):
        return {'model.vocabulary': f'{root}/crops/val',
                'test_dataloader.dataset.data_root': f'{root}/crops/',
                'test_dataloader.dataset.data_prefix.img': 'val/',
                'test_dataloader.dataset.class_names': None}
    return {'test_dataloader.dataset.data_prefix.img': ''}


#: (config, metric keys): one config of each evaluator.
RUNS = {
    'box-cls_fgclip2-base_coco.py': ('box_cls/top1', 'box_cls/top5'),
    'region-ranking_fgclip2-base_fg-ovd.py': ('fgovd/hard', 'fgovd/trivial'),
    'retrieval_fgclip2-base_flickr30k-cn-1k.py': ('retrieval/i2t_R@1',
                                                  'retrieval/t2i_R@1'),
    'zero-shot_fgclip2-base_imagenet.py': ('zero_shot/top1', ),
}


@pytest.mark.parametrize('name', sorted(RUNS))
def test_config_runs_the_test_loop(name, synthetic, tiny_folder, zh_folder,
                                   tmp_path):
    cfg = load(name)
    cfg.merge_from_dict({
        'model.clip.pretrained': zh_folder if '-cn-' in name else tiny_folder,
        'work_dir': str(tmp_path),
        'visualizer.name': f'visualizer-{name}',  # one per runner
        'test_dataloader.batch_size': 2,
        'test_dataloader.num_workers': 0,
        'test_dataloader.persistent_workers': False,
        'test_dataloader.dataset.data_root': f'{synthetic}/',
        **synthetic_options(name, synthetic)})
    metrics = RUNNERS.build(cfg).test()
    for key in RUNS[name]:
        assert 0 <= metrics[key] <= 100, (key, metrics)
