"""CLIP's 80 ImageNet prompt templates (Radford et al., ICML 2021).

Taken from open_clip's copy of the list in OpenAI's zero-shot notebook, as
format strings with one ``{}`` for the class name.
"""
from open_clip.zero_shot_metadata import OPENAI_IMAGENET_TEMPLATES

#: The 80 templates of CLIP's ImageNet zero-shot evaluation.
IMAGENET_TEMPLATES = tuple(template('{}')
                           for template in OPENAI_IMAGENET_TEMPLATES)
