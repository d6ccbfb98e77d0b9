"""QuickGELU that writes one buffer instead of three where no gradient is taken.

open_clip's ``QuickGELU`` computes ``x * sigmoid(1.702 * x)`` in three
kernels, each into a new tensor. For a frozen tower at detection sizes (F-ViT
at 640 px: 1601 tokens x 3072 channels, 20 MB a tensor) the fresh
allocations cost more than the arithmetic: on the 2-core CPU of
``docs/benchmarks.md`` one call took about 59 ms and the in-place form 11 ms
(1 thread). :class:`InPlaceQuickGELU` computes the same products in the same
order into one new tensor when autograd records nothing, so its output is
bit-identical; where a gradient is needed it is open_clip's expression.
"""
import torch
from open_clip.transformer import QuickGELU
from torch import Tensor, nn

#: The QuickGELU slope (Hendrycks & Gimpel, as in open_clip and OpenAI CLIP).
QUICK_GELU_SLOPE = 1.702


class InPlaceQuickGELU(nn.Module):
    """``x * sigmoid(1.702 x)``, in place on one buffer without autograd."""

    def forward(self, x: Tensor) -> Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return x * torch.sigmoid(QUICK_GELU_SLOPE * x)
        y = torch.mul(x, QUICK_GELU_SLOPE)
        return y.sigmoid_().mul_(x)


def use_in_place_quick_gelu(module: nn.Module) -> int:
    """Replace every open_clip ``QuickGELU`` below ``module``.

    Returns:
        int: How many were replaced (0 for GELU towers).
    """
    targets = [(parent, name) for parent in module.modules()
               for name, child in parent.named_children()
               if type(child) is QuickGELU]
    for parent, name in targets:
        setattr(parent, name, InPlaceQuickGELU())
    return len(targets)
