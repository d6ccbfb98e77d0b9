"""Class text embeddings for open-vocabulary heads, and prompt templates."""
from .class_embeddings import (
    build_class_embeddings,
    load_class_embeddings,
    region_text_encoder,
    save_class_embeddings,
)
from .imagenet_templates import IMAGENET_TEMPLATES
from .prompt_templates import (
    SINGLE_TEMPLATE,
    TEMPLATE_SETS,
    VILD_TEMPLATES,
    TemplateSet,
    resolve_templates,
)

__all__ = [
    'IMAGENET_TEMPLATES', 'SINGLE_TEMPLATE', 'TEMPLATE_SETS', 'TemplateSet',
    'VILD_TEMPLATES', 'build_class_embeddings', 'load_class_embeddings',
    'region_text_encoder', 'resolve_templates', 'save_class_embeddings'
]
