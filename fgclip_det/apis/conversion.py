"""Turn downloaded upstream weights into a toolkit checkpoint of ``FGCLIP``
(or ``FGCLIP2``)."""
import os
from typing import Optional

from fgclip_det.models.clip import FGCLIP, load_fgclip_hf
from fgclip_det.models.clip.fgclip2 import load_fgclip2_hf

from .model_index import WeightsSource


def open_clip_quick_gelu(source: WeightsSource) -> Optional[bool]:
    """Whether the open_clip tag of ``source`` was trained with QuickGELU
    (None where the tag does not say: the architecture's choice holds)."""
    import open_clip

    tag_cfg = open_clip.get_pretrained_cfg(source.model, source.pretrained)
    return tag_cfg.get('quick_gelu') if tag_cfg else None


def convert_to_checkpoint(source: WeightsSource, src: str, dst: str,
                          progress: bool = False) -> None:
    """Write ``dst`` (``FGCLIP.save`` format) from downloaded weights.

    ``dst`` is written to a temporary file first and moved into place, so an
    interrupted conversion leaves no half-written checkpoint.

    Args:
        source (WeightsSource): Its ``format`` picks the converter:
            ``fgclip-hf`` (:func:`load_fgclip_hf`, every key mapped),
            ``fgclip2-hf`` (:func:`load_fgclip2_hf`: an ``FGCLIP2``
            checkpoint that carries the folder's tokenizer) or
            ``open-clip`` (``FGCLIP(model, pretrained=file)``, long-text
            parts initialised from the short ones).
        src (str): The downloaded directory (``fgclip-hf``, ``fgclip2-hf``) or file
            (``open-clip``).
        dst (str): Output ``.pth``.
        progress (bool): Show a progress bar over the converted keys.
            Defaults to False.
    """
    if source.format == 'fgclip-hf':
        model, _ = load_fgclip_hf(src, strict=True, progress=progress)
        layout = 'fgclip_hf'
    elif source.format == 'fgclip2-hf':
        model, _ = load_fgclip2_hf(src, strict=True, progress=progress)
        layout = 'fgclip2_hf'
    elif source.format == 'open-clip':
        model = FGCLIP(source.model, pretrained=src,
                       quick_gelu=open_clip_quick_gelu(source))
        layout = 'open_clip'
    else:
        raise ValueError(f'weights of format {source.format!r} need no '
                         'conversion')
    tmp = f'{dst}.tmp'
    model.save(tmp, meta=dict(source=source.hub or source.url or
                              f'{source.model}/{source.pretrained}',
                              source_layout=layout))
    os.replace(tmp, dst)

