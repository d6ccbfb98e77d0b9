"""Where in an image a text matches: dense region-text similarity maps."""
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure

from fgclip_det.models.clip import CLIP_MEAN, CLIP_STD, FGCLIP

_COLORMAP = cv2.COLORMAP_JET


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(round(value / multiple)) * multiple)


def _rescale(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return (values - low) / max(high - low, 1e-6)


@torch.no_grad()
def text_similarity(clip: FGCLIP, image: np.ndarray, text: str,
                    short_side: Optional[int] = None) -> np.ndarray:
    """Cosine similarity of every dense FG-CLIP feature to a text.

    The image is resized (aspect kept, sides multiples of the patch size)
    and encoded with :meth:`FGCLIP.encode_dense`; each patch embedding is
    compared with :meth:`FGCLIP.encode_text` of ``text``, and the map is
    upsampled (bilinear) to the image.

    Args:
        clip (FGCLIP): A ViT FG-CLIP, in eval mode.
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        text (str): The query.
        short_side (int, optional): Length of the shorter side fed to the
            model. Defaults to None: the model's training size.

    Returns:
        np.ndarray: ``(H, W)`` float32 cosine similarities, in ``[-1, 1]``.
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
    return similarity.float().cpu().numpy()


def text_heatmap(clip: FGCLIP, image: np.ndarray, text: str,
                 short_side: Optional[int] = None) -> np.ndarray:
    """:func:`text_similarity` rescaled to ``[0, 1]``, 1 where most similar.

    Returns:
        np.ndarray: ``(H, W)`` float32.
    """
    similarity = text_similarity(clip, image, text, short_side)
    return _rescale(similarity, similarity.min(), similarity.max())


def overlay_heatmap(image: np.ndarray, heatmap: np.ndarray,
                    alpha: float = 0.5,
                    value_range: Tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Blend a heatmap, coloured with the jet map, over an image.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        heatmap (np.ndarray): ``(H, W)`` values.
        alpha (float): Weight of the colours. Defaults to 0.5.
        value_range (tuple[float, float]): The values coloured dark blue and
            dark red (those beyond are clipped). Defaults to ``(0, 1)``.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB.
    """
    if heatmap.shape != image.shape[:2]:
        raise ValueError(f'heatmap of shape {heatmap.shape} for an image of '
                         f'shape {image.shape}')
    unit = np.clip(_rescale(heatmap, *value_range), 0, 1)
    colours = cv2.cvtColor(cv2.applyColorMap(np.uint8(unit * 255), _COLORMAP),
                           cv2.COLOR_BGR2RGB)
    return cv2.addWeighted(np.ascontiguousarray(image), 1 - alpha, colours,
                           alpha, 0)


def add_colour_bar(image: np.ndarray, low: float, high: float,
                   label: str = 'similarity') -> np.ndarray:
    """Append, right of an image, the colour bar of :func:`overlay_heatmap`.

    The bar runs from ``low`` (bottom, dark blue) to ``high`` (top, dark red)
    with five ticks, both ends included, and ``label`` along it; it is as
    tall as the image and its text scales with the image height.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB, e.g. a drawn overlay.
        low (float): The value coloured dark blue (``value_range[0]``).
        high (float): The value coloured dark red (``value_range[1]``).
        label (str): What the colours measure. Defaults to 'similarity'.

    Returns:
        np.ndarray: ``(H, W + w, 3)`` uint8 RGB, the bar ``w`` pixels wide.
    """
    height = image.shape[0]
    font = max(8, height // 36)  # pixels (dpi 72: one point per pixel)
    width = 9 * font
    figure = Figure(figsize=(width / 72, height / 72), dpi=72, facecolor='white')
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((font / width, font / height, 1.5 * font / width,
                            1 - 2 * font / height))
    jet = cv2.applyColorMap(np.arange(256, dtype=np.uint8), _COLORMAP)
    colour_map = ListedColormap(jet.reshape(256, 3)[:, ::-1] / 255)
    bar = figure.colorbar(
        ScalarMappable(Normalize(low, max(high, low + 1e-6)), colour_map),
        cax=axes, ticks=np.linspace(low, high, 5), format='%.3g')
    bar.ax.tick_params(labelsize=font)
    bar.set_label(label, size=font)
    canvas.draw()
    return np.concatenate(
        [image, np.asarray(canvas.buffer_rgba())[..., :3]], axis=1)
