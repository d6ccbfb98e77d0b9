"""Pictures of caption annotations: boxes, their region captions and the
hard negatives, read from FineHARD or FG-OVD files.

:func:`read_finehard_images` and :func:`read_fgovd_images` turn a file into
:class:`CaptionedImage` items (boxes in pixels, one caption and its
negatives per box); :func:`draw_captioned_image` draws one: the image,
upscaled to a readable size, with numbered boxes, and beside it a panel
listing each box's caption in the box's colour with its hard negatives in
grey below it. Used by ``tools/analysis_tools/browse_dataset.py``.
"""
import os.path as osp
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

from fgclip_det.datasets.fgovd import load_fgovd_jsonl
from fgclip_det.datasets.finehard_record import (
    check_finehard_file,
    parse_finehard_record,
)
from fgclip_det.datasets.json_records import read_json_records
from fgclip_det.datasets.skip_summary import SkipSummary

from .readable_drawing import MIN_SHORT_SIDE

#: Box and caption colours (matplotlib's tab10): legible on white and on
#: the images alike.
BOX_COLORS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
              (148, 103, 189), (140, 86, 75), (227, 119, 194),
              (127, 127, 127), (188, 189, 34), (23, 190, 207))
#: Colour of the hard negatives and of the title lines.
NEGATIVE_COLOR = (110, 110, 110)
TITLE_COLOR = (0, 0, 0)
#: Width of the text panel beside the image, in pixels.
PANEL_WIDTH = 640
#: Size of the panel text in points (one point is ``dpi / 72`` pixels).
FONT_SIZE = 10
_LINE_SPACING = 1.45  # line height / font height
_CHAR_WIDTH = 0.6  # monospace character width / font height
_MARGIN = 8


@dataclass
class CaptionedImage:
    """One image with captioned boxes.

    Args:
        img_path (str): The image file.
        bboxes (np.ndarray): ``(num_boxes, 4)`` xyxy boxes in pixels.
        captions (list[str]): One caption per box.
        negatives (list[list[str]]): The hard negatives of each box (empty
            where it has none).
        title (list[str]): Lines written above the captions (the file name,
            the image caption or the FG-OVD difficulty).
    """

    img_path: str
    bboxes: np.ndarray
    captions: List[str]
    negatives: List[List[str]]
    title: List[str] = field(default_factory=list)


def read_image(img_path: str, where: str) -> np.ndarray:
    """The ``(H, W, 3)`` RGB image; a missing file names its record."""
    if not osp.isfile(img_path):
        raise FileNotFoundError(f'{where}: image {img_path} not found (is '
                                '--image-root the folder the paths are '
                                'relative to?)')
    return mmcv.imread(img_path, channel_order='rgb')


def read_finehard_images(ann_file: str, image_root: str,
                         max_images: Optional[int] = None
                         ) -> Iterator[Tuple[CaptionedImage, np.ndarray]]:
    """The records of a FineHARD file (a JSON list or JSON lines).

    Each record is checked by
    :func:`~fgclip_det.datasets.finehard_record.parse_finehard_record`
    (every valid region, any number of negatives); skipped records are left
    out and the file is checked as the dataset checks it.

    Args:
        ann_file (str): The annotation file.
        image_root (str): Folder the records' ``img_path`` are relative to.
        max_images (int, optional): Stop after this many. Defaults to None.

    Yields:
        tuple[CaptionedImage, np.ndarray]: Regions in pixels (``short_expr``
        captions), and the RGB image.
    """
    summary = SkipSummary()
    count = 0
    for where, record in read_json_records(ann_file):
        if max_images is not None and count >= max_images:
            break
        fields = parse_finehard_record(record, where, summary,
                                       max_regions=sys.maxsize,
                                       num_negatives=None)
        if fields is None:
            continue
        image = read_image(osp.join(image_root, fields['img_path']), where)
        height, width = image.shape[:2]
        boxes = fields['norm_region_boxes'] * np.array(
            [width, height, width, height], dtype=np.float32)
        count += 1
        yield CaptionedImage(
            img_path=fields['img_path'], bboxes=boxes,
            captions=fields['region_texts'],
            negatives=fields['region_negatives'],
            title=[fields['img_path'], fields['short_caption']]), image
    check_finehard_file(summary, ann_file)


def read_fgovd_images(ann_file: str, image_root: str,
                      max_images: Optional[int] = None
                      ) -> Iterator[Tuple[CaptionedImage, np.ndarray]]:
    """The boxes of an FG-OVD file, grouped by image in file order.

    Args:
        ann_file (str): A ``.jsonl`` file (checked by
            :func:`~fgclip_det.datasets.fgovd.load_fgovd_jsonl`).
        image_root (str): Folder the lines' ``img_path`` are relative to.
        max_images (int, optional): Stop after this many images. Defaults to
            None.

    Yields:
        tuple[CaptionedImage, np.ndarray]: Boxes captioned by their
        ``pos_expression`` with their ``neg_expression``, and the RGB image.
    """
    groups = {}
    for record in load_fgovd_jsonl(ann_file):
        groups.setdefault(record.img_path, []).append(record)
    for index, (img_path, records) in enumerate(groups.items()):
        if max_images is not None and index >= max_images:
            break
        image = read_image(osp.join(image_root, img_path),
                           f'{ann_file} (sent_id {records[0].sent_id})')
        boxes = np.array([(x, y, x + w, y + h)
                          for x, y, w, h in (r.bbox for r in records)],
                         dtype=np.float32)
        yield CaptionedImage(
            img_path=img_path, bboxes=boxes,
            captions=[r.pos_expression for r in records],
            negatives=[list(r.neg_expressions) for r in records],
            title=[img_path, f'test_type: {records[0].test_type}']), image


def _panel_lines(item: CaptionedImage, chars: int
                 ) -> List[Tuple[str, Tuple[int, int, int]]]:
    """The panel's text lines, wrapped to ``chars``, with their colours."""
    lines = [(line, TITLE_COLOR) for text in item.title
             for line in textwrap.wrap(text, chars)]
    lines.append(('', TITLE_COLOR))
    for k, (caption, negatives) in enumerate(zip(item.captions,
                                                 item.negatives)):
        color = BOX_COLORS[k % len(BOX_COLORS)]
        lines += [(line, color) for line in textwrap.wrap(
            caption, chars, initial_indent=f'{k + 1:>2} ',
            subsequent_indent='   ')]
        for negative in negatives:
            lines += [(line, NEGATIVE_COLOR) for line in textwrap.wrap(
                negative, chars, initial_indent='     - ',
                subsequent_indent='       ')]
    return lines


def draw_captioned_image(visualizer: Visualizer, image: np.ndarray,
                         item: CaptionedImage,
                         min_short_side: int = MIN_SHORT_SIDE,
                         panel_width: int = PANEL_WIDTH) -> np.ndarray:
    """Draw numbered boxes on the image and list captions and negatives.

    Args:
        visualizer (Visualizer): Draws (mmengine's ``draw_bboxes`` and
            ``draw_texts``); its dpi sets the text size in pixels.
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB.
        item (CaptionedImage): Its boxes, in ``image``'s pixels.
        min_short_side (int): Upscale images with a shorter side below this
            (as :func:`~.readable_drawing.draw_detections`). Defaults to 512.
        panel_width (int): Width of the text panel in pixels. Defaults to
            640.

    Returns:
        np.ndarray: ``(max(H', text height), W' + panel_width, 3)`` uint8
        RGB, ``H' x W'`` the upscaled image.
    """
    height, width = image.shape[:2]
    scale = max(min_short_side / min(height, width), 1.0)
    if scale > 1:
        image = mmcv.imresize(image, (round(width * scale),
                                      round(height * scale)),
                              interpolation='bicubic')
    height, width = image.shape[:2]
    font_px = FONT_SIZE * visualizer.dpi / 72
    line_px = font_px * _LINE_SPACING
    lines = _panel_lines(item, int((panel_width - 2 * _MARGIN)
                                   / (font_px * _CHAR_WIDTH)))
    canvas_height = max(height, int(len(lines) * line_px + 2 * _MARGIN))
    canvas = np.full((canvas_height, width + panel_width, 3), 255, np.uint8)
    canvas[:height, :width] = image
    visualizer.set_image(canvas)
    if len(item.bboxes):
        boxes = item.bboxes * scale
        colors = [BOX_COLORS[k % len(BOX_COLORS)] for k in range(len(boxes))]
        visualizer.draw_bboxes(boxes, edge_colors=colors, line_widths=2)
        visualizer.draw_texts(
            [str(k + 1) for k in range(len(boxes))], boxes[:, :2] + 2,
            colors='white', font_sizes=FONT_SIZE,
            bboxes=[dict(facecolor=c, alpha=0.8, pad=0.7, edgecolor='none')
                    for c in np.array(colors) / 255])
    visualizer.draw_texts(
        [text for text, _ in lines],
        np.array([(width + _MARGIN, _MARGIN + i * line_px)
                  for i in range(len(lines))]),
        colors=[color for _, color in lines], font_sizes=FONT_SIZE,
        font_families='monospace', vertical_alignments='top')
    return visualizer.get_image()
