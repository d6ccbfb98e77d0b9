"""Where in an image a text matches: dense region-text similarity maps."""
from typing import Optional

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from fgclip_det.models.clip import CLIP_MEAN, CLIP_STD, FGCLIP


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


@torch.no_grad()
def text_heatmap(clip: FGCLIP, image: np.ndarray, text: str,
                 short_side: Optional[int] = None) -> np.ndarray:
    """Cosine similarity of every dense FG-CLIP feature to a text.

    The image is resized (aspect kept, sides multiples of the patch size)
    and encoded with :meth:`FGCLIP.encode_dense`; each patch embedding is
    compared with :meth:`FGCLIP.encode_text` of ``text``, and the map is
    upsampled (bilinear) to the image and rescaled to ``[0, 1]``.

    Args:
        clip (FGCLIP): A ViT FG-CLIP, in eval mode.
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        text (str): The query.
        short_side (int, optional): Length of the shorter side fed to the
            model. Defaults to None: the model's training size.

    Returns:
        np.ndarray: ``(H, W)`` float32 in ``[0, 1]``, 1 where most similar.
    """
    height, width = image.shape[:2]
    patch_h, patch_w = clip.patch_size
    if short_side is None:
        size = clip.model_cfg['vision_cfg']['image_size']
        short_side = min(size) if isinstance(size, (tuple, list)) else size
    scale = short_side / min(height, width)
    size = (_round_to(width * scale, patch_w), _round_to(height * scale, patch_h))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)

    device = clip.logit_scale.device
    x = torch.from_numpy(resized).to(device).permute(2, 0, 1).float() / 255
    mean, std = (torch.tensor(v, device=device).view(3, 1, 1)
                 for v in (CLIP_MEAN, CLIP_STD))
    dense = clip.encode_dense(((x - mean) / std)[None], normalize=True)
    query = clip.encode_text([text], normalize=True)
    similarity = torch.einsum('bdhw,bd->bhw', dense, query)[:, None]
    similarity = F.interpolate(similarity, size=(height, width),
                               mode='bilinear', align_corners=False)[0, 0]
    low, high = similarity.min(), similarity.max()
    heatmap = (similarity - low) / (high - low).clamp_min(1e-6)
    return heatmap.float().cpu().numpy()


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray,
                    alpha: float = 0.5) -> np.ndarray:
    """Blend a ``[0, 1]`` heatmap, coloured with the jet map, over an image.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        heatmap (np.ndarray): ``(H, W)`` in ``[0, 1]``.
        alpha (float): Weight of the colours. Defaults to 0.5.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB.
    """
    if heatmap.shape != image.shape[:2]:
        raise ValueError(f'heatmap of shape {heatmap.shape} for an image of '
                         f'shape {image.shape}')
    colours = cv2.applyColorMap(np.uint8(np.clip(heatmap, 0, 1) * 255),
                                cv2.COLORMAP_JET)
    colours = cv2.cvtColor(colours, cv2.COLOR_BGR2RGB)
    return cv2.addWeighted(np.ascontiguousarray(image), 1 - alpha, colours,
                           alpha, 0)
