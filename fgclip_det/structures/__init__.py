"""Data structures shared by the data pipeline and the models."""
from .naflex_batch import NaFlexBatch

__all__ = ['NaFlexBatch']
