"""When the frozen towers take ``nn.MultiheadAttention``'s inference fast path.

Under ``no_grad`` in eval mode, open_clip's attention blocks run torch's
native fused MHA kernel (``torch._native_multi_head_attention``) instead of
``F.multi_head_attention_forward`` with ``scaled_dot_product_attention``.
Both compute the same attention (tested to float tolerance); which one is
faster depends on the device and the sequence length. On the 2-core CPU of
``docs/benchmarks.md`` ("Attention path of the frozen towers") the fast path
wins at short sequences and loses from about a thousand tokens on (F-ViT at
640 px has 1601), so ``'auto'`` takes it only below
:data:`CPU_FAST_PATH_MAX_TOKENS` on the CPU and keeps torch's default (on)
on other devices, where it has not been measured here.

The switch is torch's process-wide flag
(``torch.backends.mha.set_fastpath_enabled``), set for one call and restored
after it.
"""
import contextlib
from typing import Iterator, Literal

import torch

AttentionFastPath = Literal['auto', 'on', 'off']
FAST_PATH_MODES = ('auto', 'on', 'off')
#: Longest token sequence (class token included) at which the fast path
#: measured faster on the CPU (ViT-B/16 at 336 px; docs/benchmarks.md).
CPU_FAST_PATH_MAX_TOKENS = 442


def check_fast_path_mode(mode: str) -> None:
    """Raise a ``ValueError`` unless ``mode`` is one of :data:`FAST_PATH_MODES`."""
    if mode not in FAST_PATH_MODES:
        raise ValueError(f'attention_fast_path must be one of {FAST_PATH_MODES}, '
                         f'got {mode!r}')


def use_fast_path(mode: AttentionFastPath, num_tokens: int,
                  device: torch.device) -> bool:
    """Whether a frozen tower should take the MHA fast path.

    Args:
        mode (str): ``'on'``, ``'off'`` or ``'auto'`` (by device and length,
            see the module docstring).
        num_tokens (int): Sequence length of the tower's attention.
        device (torch.device): Where it runs.

    Returns:
        bool: True to take the fast path.
    """
    check_fast_path_mode(mode)
    if mode != 'auto':
        return mode == 'on'
    if device.type == 'cpu':
        return num_tokens <= CPU_FAST_PATH_MAX_TOKENS
    return True


@contextlib.contextmanager
def mha_fast_path(enabled: bool) -> Iterator[None]:
    """Set torch's MHA fast-path flag for the ``with`` body, then restore it."""
    previous = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(enabled)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(previous)
