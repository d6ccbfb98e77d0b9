"""Prompt-ensembled class embeddings of an evaluation vocabulary, cached."""
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from torch import Tensor

from fgclip_det.datasets.vocabulary import read_class_names

from ..clip.clip_loader import EvalCLIP
from ..text.class_embeddings import build_class_embeddings, load_class_embeddings
from ..text.prompt_templates import TemplateSet, resolve_templates


class ClassTextEmbeddings:
    """The class embeddings a classifier scores against, built once.

    Either computed from class names with a prompt ensemble (each prompt
    L2-normalised, averaged, re-normalised) the first time they are needed,
    or read from a file of :func:`~fgclip_det.models.text.save_class_embeddings`
    (e.g. written by ``tools/build_text_embeddings.py``).

    Args:
        vocabulary (str, optional): Class names, see
            :func:`~fgclip_det.datasets.vocabulary.read_class_names`.
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
