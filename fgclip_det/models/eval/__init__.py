"""CLIP evaluation models: box classification, FG-OVD, retrieval, zero-shot."""
from .base_clip_evaluator import BaseCLIPEvaluator
from .class_text_embeddings import (
    TEMPLATE_SETS,
    ClassTextEmbeddings,
    read_class_names,
)
from .clip_box_classifier import CLIPBoxClassifier
from .clip_eval_data_preprocessor import CLIPEvalDataPreprocessor
from .clip_fgovd_ranker import CLIPFGOVDRanker
from .clip_retriever import CLIPRetriever
from .clip_zero_shot_classifier import CLIPZeroShotClassifier
from .imagenet_templates import IMAGENET_TEMPLATES
from .naflex_eval_data_preprocessor import NaFlexEvalDataPreprocessor
from .region_features import BoxRegionEncoder, crop_boxes, encode_box_regions

__all__ = [
    'BaseCLIPEvaluator', 'BoxRegionEncoder', 'CLIPBoxClassifier',
    'CLIPEvalDataPreprocessor', 'CLIPFGOVDRanker', 'CLIPRetriever',
    'CLIPZeroShotClassifier', 'ClassTextEmbeddings', 'IMAGENET_TEMPLATES',
    'NaFlexEvalDataPreprocessor', 'TEMPLATE_SETS', 'crop_boxes',
    'encode_box_regions', 'read_class_names'
]
