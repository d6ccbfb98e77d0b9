"""The logit-scale settings that every pretraining head reads from its config."""
from typing import Literal, Optional

from mmengine.model import BaseModule
from torch import Tensor

from fgclip_det.models.clip.constants import LOGIT_SCALES

LogitScaleName = Literal['logit_scale', 'logit_scale_region',
                         'logit_scale_hardneg']


def check_max_logit_scale(max_logit_scale: Optional[float]) -> None:
    """Raise a ``ValueError`` unless the cap is None or positive."""
    if max_logit_scale is not None and not max_logit_scale > 0:
        raise ValueError(f'max_logit_scale must be > 0 or None, got '
                         f'{max_logit_scale!r}')


def exp_logit_scale(log_scale: Tensor,
                    max_logit_scale: Optional[float] = None) -> Tensor:
    """``exp(log_scale)``, clamped at ``max_logit_scale`` when set (a capped
    scale gets no gradient)."""
    scale = log_scale.exp()
    if max_logit_scale is None:
        return scale
    return scale.clamp(max=max_logit_scale)


class BaseContrastiveHead(BaseModule):
    """A parameter-free loss head and the settings of its logit scale.

    The learnable log-scales stay on the CLIP model (so checkpoints keep their
    keys); the head's config says which one it uses, its cap and whether it
    learns. The pretrainer passes ``head.scale(log_scale)`` to ``head.loss``
    and freezes the log-scales no head learns.

    Args:
        logit_scale_name (str, optional): The CLIP model's log-scale of this
            head: ``'logit_scale'``, ``'logit_scale_region'`` or
            ``'logit_scale_hardneg'``. Defaults to None, the head's
            :attr:`default_logit_scale_name`.
        max_logit_scale (float, optional): Cap of the exponentiated scale.
            Defaults to None (no cap, as the public FG-CLIP code).
        learn_logit_scale (bool): Train the log-scale. Defaults to True.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    #: The log-scale a head uses when its config names none.
    default_logit_scale_name: LogitScaleName = 'logit_scale'

    def __init__(self,
                 *,
                 logit_scale_name: Optional[LogitScaleName] = None,
                 max_logit_scale: Optional[float] = None,
                 learn_logit_scale: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        name = logit_scale_name or self.default_logit_scale_name
        if name not in LOGIT_SCALES:
            raise ValueError(f'logit_scale_name must be one of {LOGIT_SCALES}, '
                             f'got {name!r}')
        check_max_logit_scale(max_logit_scale)
        self.logit_scale_name = name
        self.max_logit_scale = max_logit_scale
        self.learn_logit_scale = learn_logit_scale

    def scale(self, log_scale: Tensor) -> Tensor:
        """The multiplier of the cosines: ``exp(log_scale)``, capped at
        :attr:`max_logit_scale` when set."""
        return exp_logit_scale(log_scale, self.max_logit_scale)
