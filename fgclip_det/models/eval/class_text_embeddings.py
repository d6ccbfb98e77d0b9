"""Prompt-ensembled class embeddings of an evaluation vocabulary, cached."""
import os.path as osp
from typing import Dict, Literal, Optional, Sequence, Tuple, Union

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from torch import Tensor

from ..clip.clip_loader import EvalCLIP
from ..text.class_embeddings import build_class_embeddings, load_class_embeddings
from ..text.prompt_templates import SINGLE_TEMPLATE, VILD_TEMPLATES
from ..text.vocabulary import load_vocabulary
from .imagenet_templates import IMAGENET_TEMPLATES

TemplateSet = Union[Literal['vild', 'imagenet', 'single'], Sequence[str]]
#: Named prompt ensembles: ViLD's 63 for objects, CLIP's 80 for images.
TEMPLATE_SETS: Dict[str, Tuple[str, ...]] = dict(
    vild=VILD_TEMPLATES, imagenet=IMAGENET_TEMPLATES, single=SINGLE_TEMPLATE)


def read_class_names(spec: str) -> Tuple[str, ...]:
    """Class names from a folder of class folders, or a vocabulary spec.

    Args:
        spec (str): A folder (its sub-folder names, sorted, as
            :class:`~fgclip_det.datasets.ZeroShotFolderDataset` labels
            them), or anything :func:`~fgclip_det.models.text.load_vocabulary`
            reads (a COCO / LVIS json, a text file with one name a line, a
            comma-separated list).
    """
    if osp.isdir(spec):
        from fgclip_det.datasets.zero_shot_folder_dataset import (
            list_class_folders,
        )
        return tuple(list_class_folders(spec))
    return tuple(load_vocabulary(spec))


def resolve_templates(templates: TemplateSet) -> Tuple[str, ...]:
    """The prompt templates of a set name or of a list of templates.

    Raises:
        ValueError: For an unknown name, an empty list, or a template
            without exactly one ``{}``.
    """
    if isinstance(templates, str):
        if templates not in TEMPLATE_SETS:
            raise ValueError(f'templates must be one of '
                             f'{tuple(TEMPLATE_SETS)} or a list of '
                             f'templates, got {templates!r}')
        return TEMPLATE_SETS[templates]
    templates = tuple(templates)
    if not templates:
        raise ValueError('templates is an empty list')
    for template in templates:
        if not isinstance(template, str) or template.count('{}') != 1:
            raise ValueError("each template must be a string with one '{}' "
                             f'for the class name, got {template!r}')
    return templates


class ClassTextEmbeddings:
    """The class embeddings a classifier scores against, built once.

    Either computed from class names with a prompt ensemble (each prompt
    L2-normalised, averaged, re-normalised) the first time they are needed,
    or read from a file of :func:`~fgclip_det.models.text.save_class_embeddings`
    (e.g. written by ``tools/build_text_embeddings.py``).

    Args:
        vocabulary (str, optional): Class names, see :func:`read_class_names`.
        embeddings_file (str, optional): A ``.pt`` / ``.npy`` embedding file
            instead; exactly one of the two is given.
        templates (str | Sequence[str]): ``'vild'`` (63 object templates),
            ``'imagenet'`` (CLIP's 80), ``'single'`` (``'a photo of a
            {}.'``) or the templates themselves, each with one ``{}`` for
            the class name (a prompt set written in a config). Defaults to
            ``'vild'``.
        region_text (bool): Encode the prompts with ``encode_region_text``
            (classes of regions: FG-CLIP's short path, FG-CLIP 2's box walk)
            instead of ``encode_text`` (classes of images). Defaults to
            False.
    """

    def __init__(self,
                 vocabulary: Optional[str] = None,
                 embeddings_file: Optional[str] = None,
                 templates: TemplateSet = 'vild',
                 region_text: bool = False) -> None:
        if (vocabulary is None) == (embeddings_file is None):
            raise ValueError('give exactly one of vocabulary and '
                             'embeddings_file')
        self.vocabulary = vocabulary
        self.embeddings_file = embeddings_file
        self.templates = resolve_templates(templates)
        self.region_text = region_text
        self._embeddings: Optional[Tensor] = None

    def __call__(self, clip: EvalCLIP) -> Tensor:
        """L2-normalised class embeddings ``(num_classes, D)`` on the device
        of ``clip``."""
        if self._embeddings is None:
            if self.embeddings_file is not None:
                embeddings = load_class_embeddings(self.embeddings_file)
            else:
                names = read_class_names(self.vocabulary)
                print_log(f'building the class embeddings of {len(names)} '
                          f'classes x {len(self.templates)} templates before '
                          'the first batch', logger='current')
                encode = (clip.encode_region_text if self.region_text
                          else clip.encode_text)
                embeddings = build_class_embeddings(
                    encode, names, self.templates, progress=is_main_process())
            if embeddings.shape[1] != clip.embed_dim:
                raise ValueError(f'class embeddings of width '
                                 f'{embeddings.shape[1]} for a model of width '
                                 f'{clip.embed_dim}')
            self._embeddings = embeddings
        self._embeddings = self._embeddings.to(clip.logit_scale.device)
        return self._embeddings
