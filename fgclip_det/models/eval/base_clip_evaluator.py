"""The base of the CLIP evaluation models: a CLIP and a preprocessor."""
from abc import abstractmethod
from typing import List, Literal, Optional

from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from torch import Tensor

from fgclip_det.registry import MODELS

from ..clip.fgclip import FGCLIP


class BaseCLIPEvaluator(BaseModel):
    """A CLIP run in ``predict`` mode to feed one benchmark's metric.

    The model is built from ``clip`` (an ``FGCLIP`` config: an open_clip
    architecture with ``pretrained=`` weights, or a custom size) or read
    whole from ``clip_checkpoint`` (a toolkit checkpoint, architecture
    included: converted FG-CLIP weights, ``tools/download.py`` output).
    Its state dict keys are ``clip.*``, as in ``FGCLIPPretrainer``
    checkpoints, so ``tools/test.py CONFIG CKPT`` loads pretraining
    checkpoints as they are.

    Args:
        clip (dict, optional): Config of the ``FGCLIP`` model.
        clip_checkpoint (str, optional): Toolkit checkpoint of an ``FGCLIP``
            instead; exactly one of the two is given.
        data_preprocessor (dict, optional): Defaults to
            ``dict(type='CLIPEvalDataPreprocessor')``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

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
                     FGCLIP.from_checkpoint(clip_checkpoint))

    def forward(self,
                inputs: Tensor,
                data_samples: List[BaseDataElement],
                mode: Literal['predict'] = 'predict'
                ) -> List[BaseDataElement]:
        """Run :meth:`predict`; evaluation models have no other mode."""
        if mode != 'predict':
            raise ValueError(f"{type(self).__name__} only evaluates: mode "
                             f"must be 'predict', got {mode!r}")
        return self.predict(inputs, data_samples)

    @abstractmethod
    def predict(self, inputs: Tensor,
                data_samples: List[BaseDataElement]) -> List[BaseDataElement]:
        """Add the fields the benchmark's metric reads to ``data_samples``.

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.
            data_samples (list[BaseDataElement]): The batch's samples.
        """
