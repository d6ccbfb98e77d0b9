"""Prompt templates for class text embeddings, and the named sets.

The ViLD prompt ensemble (Gu et al., "Open-vocabulary Object Detection via
Vision and Language Knowledge Distillation", ICLR 2022): CLIP's ImageNet
templates adapted to objects in a scene. ``{}`` is replaced by the class name.
:data:`TEMPLATE_SETS` names it, CLIP's 80 ImageNet templates
(:mod:`.imagenet_templates`) and the single template for configs and tools.
"""
from typing import Dict, Literal, Sequence, Tuple, Union

from .imagenet_templates import IMAGENET_TEMPLATES

#: The template used when no ensemble is wanted.
SINGLE_TEMPLATE = ('a photo of a {}.', )

#: ViLD's 63 templates.
VILD_TEMPLATES = (
    'There is {} in the scene.',
    'There is the {} in the scene.',
    'a photo of {} in the scene.',
    'a photo of the {} in the scene.',
    'a photo of one {} in the scene.',
    'itap of {}.',
    'itap of my {}.',
    'itap of the {}.',
    'a photo of {}.',
    'a photo of my {}.',
    'a photo of the {}.',
    'a photo of one {}.',
    'a photo of many {}.',
    'a good photo of {}.',
    'a good photo of the {}.',
    'a bad photo of {}.',
    'a bad photo of the {}.',
    'a photo of a nice {}.',
    'a photo of the nice {}.',
    'a photo of a cool {}.',
    'a photo of the cool {}.',
    'a photo of a weird {}.',
    'a photo of the weird {}.',
    'a photo of a small {}.',
    'a photo of the small {}.',
    'a photo of a large {}.',
    'a photo of the large {}.',
    'a photo of a clean {}.',
    'a photo of the clean {}.',
    'a photo of a dirty {}.',
    'a photo of the dirty {}.',
    'a bright photo of {}.',
    'a bright photo of the {}.',
    'a dark photo of {}.',
    'a dark photo of the {}.',
    'a photo of a hard to see {}.',
    'a photo of the hard to see {}.',
    'a low resolution photo of {}.',
    'a low resolution photo of the {}.',
    'a cropped photo of {}.',
    'a cropped photo of the {}.',
    'a close-up photo of {}.',
    'a close-up photo of the {}.',
    'a jpeg corrupted photo of {}.',
    'a jpeg corrupted photo of the {}.',
    'a blurry photo of {}.',
    'a blurry photo of the {}.',
    'a pixelated photo of {}.',
    'a pixelated photo of the {}.',
    'a black and white photo of the {}.',
    'a black and white photo of {}.',
    'a plastic {}.',
    'the plastic {}.',
    'a toy {}.',
    'the toy {}.',
    'a plushie {}.',
    'the plushie {}.',
    'a cartoon {}.',
    'the cartoon {}.',
    'an embroidered {}.',
    'the embroidered {}.',
    'a painting of the {}.',
    'a painting of a {}.',
)

#: A named prompt set or the templates themselves.
TemplateSet = Union[Literal['vild', 'imagenet', 'single'], Sequence[str]]
#: Named prompt ensembles: ViLD's 63 for objects, CLIP's 80 for images.
TEMPLATE_SETS: Dict[str, Tuple[str, ...]] = dict(
    vild=VILD_TEMPLATES, imagenet=IMAGENET_TEMPLATES, single=SINGLE_TEMPLATE)


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
