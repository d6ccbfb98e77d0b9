"""Choose the vision-trunk adapter of a tower, once."""
from typing import Optional

from torch import nn

from fgclip_det.registry import VISION_TRUNKS

from .base import VisionTrunk


def build_vision_trunk(visual: nn.Module,
                       cfg: Optional[dict] = None) -> VisionTrunk:
    """The adapter of ``visual``'s family, built with ``cfg``'s options.

    Args:
        visual (nn.Module): An open_clip vision tower (``model.visual``).
        cfg (dict, optional): Adapter options, e.g. ``dict(dense_path='value')``
            for a SigLIP tower; ``type`` names the adapter instead of
            choosing it from the tower. Defaults to None.

    Raises:
        ValueError: No registered adapter claims the tower (the message lists
            the supported families), the named adapter does not claim it, or
            it uses something the adapter does not support.
    """
    options = dict(cfg or {})
    name = options.pop('type', None)
    adapters = dict(VISION_TRUNKS.module_dict)
    if name is not None:
        adapter = VISION_TRUNKS.get(name)
        if adapter is None:
            raise ValueError(f'unknown vision trunk type {name!r}; registered: '
                             f'{sorted(adapters)}')
        if not adapter.claims(visual):
            raise ValueError(f'{name} ({adapter.family}) does not apply to a '
                             f'{_describe(visual)}')
        return adapter(visual, **options)
    for adapter in adapters.values():
        if adapter.claims(visual):
            return adapter(visual, **options)
    families = ', '.join(f'{adapter.family} ({key})'
                         for key, adapter in sorted(adapters.items()))
    raise ValueError(f'no vision trunk adapter for a {_describe(visual)}; '
                     f'supported families: {families}')


def _describe(visual: nn.Module) -> str:
    trunk = getattr(visual, 'trunk', None)
    name = type(visual).__name__
    return f'{name} with a {type(trunk).__name__} trunk' if trunk is not None else name
