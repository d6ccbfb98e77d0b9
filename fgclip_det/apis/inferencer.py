"""Open-vocabulary detection of any list of class names with an F-ViT."""
import copy
import os
import os.path as osp
from collections import abc
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.model.utils import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from torch import Tensor

from fgclip_det.datasets.class_names import check_class_names
from fgclip_det.models.clip.checkpoint import read_state_dict
from fgclip_det.models.text import (
    VILD_TEMPLATES,
    build_class_embeddings,
    region_text_encoder,
)
from fgclip_det.registry import DATASETS, MODELS, SCOPE

from .download import download_checkpoint
from .image_input import (
    EXPECTED,
    ImageInput,
    check_image_input,
    load_image_file,
)
from .model_index import get_model_entry
from .vocabulary_swap import set_detector_vocabulary

#: The end of the backbone's checkpoint prefix that names the vision tower
#: inside an ``FGCLIP`` state dict.
_VISUAL_SUFFIX = 'clip.visual.'


def _is_path(spec: str) -> bool:
    """Whether ``spec`` names a file rather than a model-index entry."""
    return osp.isfile(spec) or os.sep in spec or bool(osp.splitext(spec)[1])


def resolve_checkpoint(spec: str) -> str:
    """A checkpoint file, or the download of a model-index name."""
    if not _is_path(spec):
        return download_checkpoint(spec)
    if not osp.isfile(spec):
        raise FileNotFoundError(f'no checkpoint file {spec}')
    return spec


def resolve_config(config: Union[str, Config]) -> Config:
    """A ``Config``, a config file, or the config of a model-index name."""
    if isinstance(config, Config):
        return copy.deepcopy(config)
    if _is_path(config):
        return Config.fromfile(config)
    entry = get_model_entry(config)
    if entry.config is None:
        raise ValueError(f'{config} has no config')
    return Config.fromfile(entry.config)


def config_base_classes(cfg: Config) -> List[str]:
    """The classes a detector config trains on: its test dataset's classes
    (``metainfo``, else the dataset class's ``METAINFO``) that the box head
    does not mark novel."""
    dataset = cfg.test_dataloader.dataset
    classes = (dataset.get('metainfo') or {}).get('classes')
    if classes is None:
        classes = DATASETS.get(dataset['type']).METAINFO.get('classes', ())
    novel_ids = set(cfg.model.roi_head.bbox_head.get('novel_class_ids') or ())
    return [name for i, name in enumerate(classes) if i not in novel_ids]


def _test_pipeline(cfg: Config, from_array: bool) -> Compose:
    """The config's test pipeline without annotations, reading files or
    arrays."""
    steps = [copy.deepcopy(step) for step in cfg.test_dataloader.dataset.pipeline
             if step['type'] not in ('LoadAnnotations', 'mmdet.LoadAnnotations')]
    if from_array:
        steps[0] = dict(type='mmdet.LoadImageFromNDArray')
    return Compose(steps)


class OpenVocabDetector:
    """Detect the objects of any vocabulary with an F-ViT detector.

    The class names are embedded with the CLIP's text tower (its
    region-caption path where it has one:
    :func:`~fgclip_det.models.text.region_text_encoder`) and a prompt
    ensemble (:func:`~fgclip_det.models.text.build_class_embeddings`) and
    swapped into the box classifier (:func:`set_detector_vocabulary`).

    Base or novel: F-ViT's test-time ensemble weighs the dense CLIP score by
    ``clip_alpha`` for classes the detector was trained on and by
    ``clip_beta`` for the others. A name of the vocabulary counts as base if
    it is in ``base_classes``; by default these are the config's classes
    that its box head does not mark novel. Every other name is novel.

    Example:
        >>> detector = OpenVocabDetector(
        ...     'configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py',
        ...     'fvit_ov-coco.pth', clip_checkpoint='fgclip_vitb16-224px_upstream')
        >>> result = detector('demo.jpg', ['red mug', 'blue mug'])
        >>> result['bboxes'], result['labels'], result['scores']

    Args:
        config (str | Config): Detector config: a file, a ``Config`` or a
            model-index name.
        checkpoint (str): Detector weights: a file or a model-index name.
        clip_checkpoint (str, optional): FG-CLIP weights for the text tower:
            a toolkit checkpoint of ``FGCLIP`` (file or model-index name).
            Defaults to None: the config's ``model.backbone.clip_checkpoint``,
            read with the backbone's key prefix; without one, the config's
            CLIP with its ``pretrained`` weights (e.g. a released FG-CLIP 2
            folder).
        clip_prefix (str): Key prefix of ``FGCLIP`` in ``clip_checkpoint``
            (``'clip.'`` in an ``FGCLIPPretrainer`` checkpoint). Defaults to
            '' (a toolkit checkpoint).
        base_classes (Sequence[str], optional): Names treated as base.
            Defaults to None (see above).
        templates (Sequence[str]): Prompt templates with one ``{}``.
            Defaults to the 63 ViLD templates.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'``, ... Defaults to
            'cpu'.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: str,
                 *,
                 clip_checkpoint: Optional[str] = None,
                 clip_prefix: str = '',
                 base_classes: Optional[Sequence[str]] = None,
                 templates: Sequence[str] = VILD_TEMPLATES,
                 device: str = 'cpu') -> None:
        self.cfg = resolve_config(config)
        init_default_scope(self.cfg.get('default_scope', SCOPE))
        self.device = torch.device(device)
        self.templates = tuple(templates)
        self.clip = self._build_clip(clip_checkpoint, clip_prefix)
        self.model = self._build_detector(resolve_checkpoint(checkpoint))
        self.base_classes = (set(base_classes) if base_classes is not None
                             else set(config_base_classes(self.cfg)))
        self.pipelines = {from_array: _test_pipeline(self.cfg, from_array)
                          for from_array in (False, True)}
        self.vocabulary: Tuple[str, ...] = ()

    # ------------------------------------------------------------- building
    def _build_clip(self, checkpoint: Optional[str],
                    prefix: str) -> torch.nn.Module:
        backbone = self.cfg.model.backbone
        if checkpoint is None:
            checkpoint = backbone.get('clip_checkpoint')
            if checkpoint is None and backbone.clip.get('pretrained'):
                # the config's own CLIP weights, e.g. an FG-CLIP 2 folder
                return MODELS.build(backbone.clip).to(self.device).eval()
            prefix = backbone.get('clip_checkpoint_prefix', _VISUAL_SUFFIX)
            if not prefix.endswith(_VISUAL_SUFFIX):
                raise ValueError(f'cannot find FGCLIP in a checkpoint whose '
                                 f'vision tower prefix is {prefix!r}; give '
                                 'clip_checkpoint and clip_prefix')
            prefix = prefix[:-len(_VISUAL_SUFFIX)]
        if checkpoint is None:
            raise ValueError('the text tower needs FG-CLIP weights: give '
                             'clip_checkpoint or set '
                             'model.backbone.clip_checkpoint')
        clip_cfg = {key: value for key, value in backbone.clip.items()
                    if key not in ('pretrained', 'checkpoint')}
        clip = MODELS.build(clip_cfg)
        clip.load_checkpoint(resolve_checkpoint(checkpoint), prefix=prefix)
        return clip.to(self.device).eval()

    def _build_detector(self, checkpoint: str) -> torch.nn.Module:
        model_cfg = copy.deepcopy(self.cfg.model)
        model_cfg.backbone.clip_checkpoint = None
        bbox_head = model_cfg.roi_head.bbox_head
        # placeholder rows; the vocabulary replaces them
        bbox_head.cls_predictor_cfg.embeddings = torch.zeros(
            bbox_head.num_classes, self.clip.embed_dim)
        model = revert_sync_batchnorm(MODELS.build(model_cfg))
        state_dict, _ = read_state_dict(checkpoint)
        missing, unexpected = model.load_state_dict(state_dict, strict=False)
        if missing or unexpected:
            raise KeyError(f'{checkpoint} does not fit the config: missing '
                           f'{missing}, unexpected {unexpected}')
        model.cfg = self.cfg
        return model.to(self.device).eval()

    # ----------------------------------------------------------- vocabulary
    @torch.no_grad()
    def encode_vocabulary(self, names: Sequence[str]) -> Tensor:
        """Prompt-ensemble text embeddings ``(len(names), D)``."""
        return build_class_embeddings(region_text_encoder(self.clip),
                                      list(names), self.templates)

    def set_vocabulary(self, names: Sequence[str]) -> None:
        """Embed ``names`` and make them the detector's classes.

        Raises:
            TypeError: If ``names`` is one string (split a comma list with
                :func:`~fgclip_det.datasets.vocabulary.load_vocabulary`).
            ValueError: If it is empty, a name is empty or two names give
                the same prompt text; the error names their indices.
        """
        check_class_names(names)
        names = tuple(names)
        if names == self.vocabulary:
            return
        set_detector_vocabulary(self.model, self.encode_vocabulary(names),
                                [name not in self.base_classes for name in names])
        self.model.dataset_meta = dict(classes=names)
        self.vocabulary = names

    # ------------------------------------------------------------ inference
    @torch.no_grad()
    def predict(self, images: Sequence[ImageInput],
                batch_size: int = 1) -> List[DetDataSample]:
        """mmdet predictions for the current vocabulary.

        Args:
            images (Sequence[str | PathLike | np.ndarray]): Image files or
                ``(H, W, 3)`` uint8 BGR arrays (as ``mmcv.imread`` gives).
            batch_size (int): Images a forward pass. Defaults to 1.

        Returns:
            list[DetDataSample]: ``pred_instances`` with ``bboxes`` ``(n, 4)``
            (xyxy, input pixels), ``scores`` ``(n,)``, ``labels`` ``(n,)``
            (indices into :attr:`vocabulary`).

        Raises:
            TypeError: If ``images`` is not a sequence, or holds something
                other than a path or an array.
            FileNotFoundError: For a path that does not exist.
            ImageInputError: For an empty or undecodable file, or an array
                of another dtype or shape; the error names its index.
        """
        if not self.vocabulary:
            raise ValueError('no vocabulary: call set_vocabulary(names) or '
                             'pass one to the detector')
        if not isinstance(images, abc.Sequence) or isinstance(images, str):
            raise TypeError('images: expected a list of images (file paths or '
                            '(H, W, 3) uint8 BGR arrays), got a '
                            f'{type(images).__name__}')
        # every image is checked before the first forward pass
        checked = [check_image_input(image, f'images[{index}]')
                   for index, image in enumerate(images)]
        samples = []
        for start in range(0, len(checked), batch_size):
            inputs, data_samples = [], []
            for index in range(start, min(start + batch_size, len(checked))):
                data = self._prepare(checked[index], f'images[{index}]')
                inputs.append(data['inputs'])
                data_samples.append(data['data_samples'])
            samples += self.model.test_step(
                dict(inputs=inputs, data_samples=data_samples))
        return samples

    def _prepare(self, image: Union[str, np.ndarray], name: str) -> dict:
        """The test pipeline's output for one checked image."""
        if isinstance(image, np.ndarray):
            return self.pipelines[True](dict(img=image, img_id=0))
        pipeline = self.pipelines[False]
        loaded = load_image_file(pipeline.transforms[0],
                                 dict(img_path=image, img_id=0), name)
        return Compose(pipeline.transforms[1:])(loaded)

    def __call__(self,
                 images: Union[ImageInput, Sequence[ImageInput]],
                 vocabulary: Optional[Sequence[str]] = None,
                 *,
                 score_thr: float = 0.0,
                 batch_size: int = 1) -> Union[Dict, List[Dict]]:
        """Detect the vocabulary's objects.

        Args:
            images (str | PathLike | np.ndarray | Sequence): One image or a
                list of them (files or ``(H, W, 3)`` uint8 BGR arrays).
            vocabulary (Sequence[str], optional): Class names; kept for later
                calls. Defaults to None: the current one.
            score_thr (float): Drop detections scoring lower. Defaults to 0.
            batch_size (int): Images a forward pass. Defaults to 1.

        Returns:
            dict | list[dict]: Per image ``bboxes`` (``(n, 4)`` float array,
            xyxy pixels), ``scores`` (``(n,)``), ``label_ids`` (``(n,)``
            int array) and ``labels`` (``n`` class names); a list for a list
            input.
        """
        if vocabulary is not None:
            self.set_vocabulary(vocabulary)
        single = isinstance(images, (str, os.PathLike, np.ndarray))
        if not (single or isinstance(images, abc.Iterable)):
            raise TypeError(f'images: expected {EXPECTED} or a list of them, '
                            f'got a {type(images).__name__}')
        samples = self.predict([images] if single else list(images), batch_size)
        results = [self._to_dict(sample, score_thr) for sample in samples]
        return results[0] if single else results

    def _to_dict(self, sample: DetDataSample, score_thr: float) -> Dict:
        pred = sample.pred_instances
        keep = pred.scores >= score_thr
        label_ids = pred.labels[keep].cpu().numpy()
        return dict(bboxes=pred.bboxes[keep].cpu().numpy(),
                    scores=pred.scores[keep].cpu().numpy(),
                    label_ids=label_ids,
                    labels=[self.vocabulary[i] for i in label_ids])

