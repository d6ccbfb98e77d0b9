"""Class text embeddings for open-vocabulary heads."""
from .class_embeddings import (
    build_class_embeddings,
    load_class_embeddings,
    region_text_encoder,
    save_class_embeddings,
)
from .class_names import check_class_names, class_name_to_text
from .prompt_templates import SINGLE_TEMPLATE, VILD_TEMPLATES
from .vocabulary import load_vocabulary

__all__ = [
    'SINGLE_TEMPLATE', 'VILD_TEMPLATES', 'build_class_embeddings',
    'check_class_names', 'class_name_to_text', 'load_class_embeddings',
    'load_vocabulary', 'region_text_encoder', 'save_class_embeddings'
]
