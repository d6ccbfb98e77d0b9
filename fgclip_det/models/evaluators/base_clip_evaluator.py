"""The base of the CLIP evaluation models: a CLIP and a preprocessor."""
from abc import abstractmethod
from typing import List, Literal, Optional

from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement

from fgclip_det.registry import MODELS
from fgclip_det.structures.naflex_batch import ImageInput

from ..clip.clip_loader import load_clip_checkpoint
from ..clip.fgclip2 import FGCLIP2
from .naflex_eval_data_preprocessor import NaFlexEvalDataPreprocessor


class BaseCLIPEvaluator(BaseModel):
    """A CLIP run in ``predict`` mode to feed one benchmark's metric.

    The model is built from ``clip`` (an ``FGCLIP`` config: an open_clip
    architecture with ``pretrained=`` weights, or a custom size; or an
    ``FGCLIP2`` config, e.g. ``pretrained=`` a released folder) or read
    whole from ``clip_checkpoint`` (a toolkit checkpoint, architecture
    included: converted FG-CLIP weights, ``tools/download.py`` output,
    ``FGCLIP2.save``; the class is the one its meta ``model_type`` names).
    Its state dict keys are ``clip.*``, as in ``FGCLIPPretrainer``
    checkpoints, so ``tools/test.py CONFIG CKPT`` loads pretraining
    checkpoints as they are.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` / ``FGCLIP2`` model.
        clip_checkpoint (str, optional): Toolkit checkpoint of either
            instead; exactly one of the two is given.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='CLIPEvalDataPreprocessor')``;
            ``NaFlexEvalDataPreprocessor`` feeds an ``FGCLIP2`` at its
            native resolution.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    #: Keys of a pretraining checkpoint that are loss state, not the CLIP
    #: (FG-CLIP 2's CMR threshold): ``tools/test.py`` skips them.
    ignored_checkpoint_prefixes = ('global_head.', 'regional_head.',
                                   'hard_negative_head.', 'textual_intra_loss.')

    def __init__(self,
                 clip: Optional[dict] = None,
                 *,
                 clip_checkpoint: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=MODELS.build(
                data_preprocessor or dict(type='CLIPEvalDataPreprocessor')),
            init_cfg=init_cfg)
        if (clip is None) == (clip_checkpoint is None):
            raise ValueError('give exactly one of clip (a config) and '
                             'clip_checkpoint (a toolkit checkpoint)')
        self.clip = (MODELS.build(clip) if clip is not None else
                     load_clip_checkpoint(clip_checkpoint))
        self._check_naflex_input()

    def _check_naflex_input(self) -> None:
        preprocessor = self.data_preprocessor
        if not isinstance(preprocessor, NaFlexEvalDataPreprocessor):
            return
        if not isinstance(self.clip, FGCLIP2):
            raise ValueError(
                f'NaFlexEvalDataPreprocessor makes NaFlex batches, which only '
                f'FGCLIP2 reads; {type(self.clip).__name__} takes '
                'CLIPEvalDataPreprocessor')
        if (preprocessor.patch_size, ) * 2 != self.clip.patch_size:
            raise ValueError(
                f'NaFlexEvalDataPreprocessor patch_size '
                f'{preprocessor.patch_size} is not the model\'s '
                f'{self.clip.patch_size[0]}')

    def forward(self,
                inputs: ImageInput,
                data_samples: List[BaseDataElement],
                mode: Literal['predict'] = 'predict'
                ) -> List[BaseDataElement]:
        """Run :meth:`predict`; evaluation models have no other mode."""
        if mode != 'predict':
            raise ValueError(f"{type(self).__name__} only evaluates: mode "
                             f"must be 'predict', got {mode!r}")
        return self.predict(inputs, data_samples)

    @abstractmethod
    def predict(self, inputs: ImageInput,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Add the fields the benchmark's metric reads to ``data_samples``.

        Args:
            inputs (Tensor | NaFlexBatch): ``(B, 3, H, W)`` normalised
                images, or a NaFlex batch.
            data_samples (list[BaseDataElement]): The batch's samples.
        """
