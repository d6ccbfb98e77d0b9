"""CLIP evaluation models: box classification, FG-OVD, retrieval, zero-shot."""
from .base_clip_box_evaluator import BaseCLIPBoxEvaluator
from .base_clip_evaluator import BaseCLIPEvaluator
from .class_text_embeddings import ClassTextEmbeddings
from .clip_box_classifier import CLIPBoxClassifier
from .clip_eval_data_preprocessor import CLIPEvalDataPreprocessor
from .clip_fgovd_ranker import CLIPFGOVDRanker
from .clip_retriever import CLIPRetriever
from .clip_zero_shot_classifier import CLIPZeroShotClassifier
from .naflex_eval_data_preprocessor import NaFlexEvalDataPreprocessor
from .region_features import BoxRegionEncoder, crop_boxes, encode_box_regions

__all__ = [
    'BaseCLIPBoxEvaluator', 'BaseCLIPEvaluator', 'BoxRegionEncoder',
    'CLIPBoxClassifier', 'CLIPEvalDataPreprocessor', 'CLIPFGOVDRanker',
    'CLIPRetriever', 'CLIPZeroShotClassifier', 'ClassTextEmbeddings',
    'NaFlexEvalDataPreprocessor', 'crop_boxes', 'encode_box_regions'
]
