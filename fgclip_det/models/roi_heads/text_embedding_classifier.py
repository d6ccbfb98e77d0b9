"""Open-vocabulary classifier: cosine similarity to class text embeddings."""
from typing import Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from fgclip_det.models.text import load_class_embeddings
from fgclip_det.registry import MODELS

#: Initial temperature of the cosine logits (F-ViT, ViLD).
TEMPERATURE_INIT = 50.0


@MODELS.register_module()
class TextEmbeddingClassifier(nn.Module):
    """Classify box features by cosine similarity to class text embeddings.

    A linear layer maps the box feature into the text space; the logits are
    ``temperature * cos(feature, embedding)`` for every class, then for the
    background (the last column, mmdet's convention). Plugged into a bbox
    head through ``cls_predictor_cfg``, which fills ``in_features`` and
    ``out_features``.

    Args:
        in_features (int): Box feature channels.
        out_features (int): ``num_classes + 1``; must match the embeddings.
        embeddings (str | Tensor): ``(num_classes, dim)`` class embeddings,
            or a ``.pt`` / ``.npy`` file of them (see
            :mod:`fgclip_det.models.text.class_embeddings`). Rows are
            L2-normalised here.
        learn_embeddings (bool): Train the class embeddings. Defaults to
            False: they stay a non-persistent buffer, so a checkpoint can be
            tested with another vocabulary.
        learn_background (bool): Learn a background embedding. Defaults to
            True. When False the background embedding is zero: its logit is
            fixed at 0.
        init_temperature (float): Initial temperature. Defaults to 50.
        learn_temperature (bool): Train the temperature. Defaults to True.
    """

    def __init__(self,
                 in_features: int,
                 out_features: int,
                 embeddings: Union[str, Tensor],
                 *,
                 learn_embeddings: bool = False,
                 learn_background: bool = True,
                 init_temperature: float = TEMPERATURE_INIT,
                 learn_temperature: bool = True) -> None:
        super().__init__()
        if isinstance(embeddings, str):
            embeddings = load_class_embeddings(embeddings)
        embeddings = F.normalize(torch.as_tensor(embeddings).float(), dim=-1)
        num_classes, embed_dim = embeddings.shape
        if out_features != num_classes + 1:
            raise ValueError(
                f'out_features={out_features} needs {out_features - 1} class '
                f'embeddings (one column is the background), got '
                f'{num_classes}')
        self.in_features = in_features
        self.out_features = out_features
        self.proj = nn.Linear(in_features, embed_dim)
        if learn_embeddings:
            self.embeddings = nn.Parameter(embeddings)
        else:
            self.register_buffer('embeddings', embeddings, persistent=False)
        if learn_background:
            self.background = nn.Parameter(
                F.normalize(torch.randn(1, embed_dim), dim=-1))
        else:
            self.register_buffer('background', torch.zeros(1, embed_dim))
        temperature = torch.tensor(float(init_temperature))
        if learn_temperature:
            self.temperature = nn.Parameter(temperature)
        else:
            self.register_buffer('temperature', temperature)

    def set_embeddings(self, embeddings: Tensor) -> None:
        """Make ``embeddings`` the classes, e.g. another vocabulary.

        The rows are L2-normalised and moved to the classifier's device;
        they stay a parameter (same ``requires_grad``) or a non-persistent
        buffer, as constructed, and ``out_features`` follows.

        Args:
            embeddings (Tensor): ``(num_classes, dim)`` class embeddings,
                ``dim`` the width of :attr:`proj`.

        Raises:
            ValueError: If ``embeddings`` is not 2-D with at least one row,
                or not of that width.
        """
        if embeddings.dim() != 2 or len(embeddings) == 0:
            raise ValueError('class embeddings must be (num_classes, dim) '
                             'with num_classes >= 1, got shape '
                             f'{tuple(embeddings.shape)}')
        dim = self.proj.out_features
        if embeddings.shape[1] != dim:
            raise ValueError(f'class embeddings of width {embeddings.shape[1]}'
                             f'; the classifier expects width {dim}')
        embeddings = F.normalize(embeddings.detach().float(), dim=-1).to(
            device=self.proj.weight.device, dtype=self.embeddings.dtype)
        if isinstance(self.embeddings, nn.Parameter):
            self.embeddings = nn.Parameter(
                embeddings, requires_grad=self.embeddings.requires_grad)
        else:
            self.register_buffer('embeddings', embeddings, persistent=False)
        self.out_features = len(embeddings) + 1

    @property
    def class_embeddings(self) -> Tensor:
        """Tensor: L2-normalised class embeddings ``(num_classes, dim)``."""
        return F.normalize(self.embeddings, dim=-1)

    def forward(self, x: Tensor) -> Tensor:
        """Cosine logits.

        Args:
            x (Tensor): Box features ``(num_rois, in_features)``.

        Returns:
            Tensor: ``(num_rois, num_classes + 1)``, background last.
        """
        feats = F.normalize(self.proj(x), dim=-1)
        weight = torch.cat(
            [self.class_embeddings, F.normalize(self.background, dim=-1)])
        return self.temperature * feats @ weight.to(feats.dtype).t()

    def extra_repr(self) -> str:
        return (f'in_features={self.in_features}, '
                f'out_features={self.out_features}, '
                f'embed_dim={self.embeddings.shape[1]}')
