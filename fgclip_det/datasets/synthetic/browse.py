"""A contact sheet of the synthetic set: images, boxes and region texts."""
import json
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .files import finehard_file

# Box colours, one per object index, chosen to stand out on grey.
_BOX_COLORS = ((255, 255, 255), (0, 0, 0), (0, 255, 255), (255, 0, 255),
               (255, 255, 0), (0, 255, 0))
_LINE_HEIGHT = 12
_TEXT_LINES = 7  # the caption lines below each tile


def render_grid(data_dir: str | Path,
                *,
                split: str = 'val',
                num: int = 8,
                columns: int = 4,
                tile_size: int = 256) -> Image.Image:
    """Draw the first images of a split with their boxes and short
    expressions.

    Args:
        data_dir (str | Path): Folder written by
            :func:`~.generator.generate_synthetic_dataset`.
        split (str): ``'train'`` or ``'val'``. Defaults to ``'val'``.
        num (int): Number of images. Defaults to 8.
        columns (int): Images per row. Defaults to 4.
        tile_size (int): Side of each drawn image. Defaults to 256.

    Returns:
        PIL.Image.Image: The grid, each image numbered box by box with the
        numbered short expressions below it.
    """
    data_dir = Path(data_dir)
    records = json.loads(
        (data_dir / finehard_file(split)).read_text(encoding='utf-8'))[:num]
    if not records:
        raise ValueError(f'no {split} records in {data_dir}')
    font = ImageFont.load_default()
    tile_height = tile_size + _LINE_HEIGHT * _TEXT_LINES
    rows = -(-len(records) // columns)
    grid = Image.new('RGB', (columns * tile_size, rows * tile_height),
                     (255, 255, 255))
    for index, record in enumerate(records):
        image = Image.open(data_dir / record['img_path']).convert('RGB')
        image = image.resize((tile_size, tile_size), Image.Resampling.NEAREST)
        draw = ImageDraw.Draw(image)
        for k, region in enumerate(record['bbox_info']):
            color = _BOX_COLORS[k % len(_BOX_COLORS)]
            x1, y1, x2, y2 = (v * tile_size for v in region['bbox'])
            draw.rectangle((x1, y1, x2 - 1, y2 - 1), outline=color, width=2)
            draw.text((x1 + 3, y1 + 1), str(k + 1), fill=color, font=font)
        left = (index % columns) * tile_size
        top = (index // columns) * tile_height
        grid.paste(image, (left, top))
        text = ImageDraw.Draw(grid)
        lines = [Path(record['img_path']).name] + [
            f"{k + 1} {region['short_expr']}"
            for k, region in enumerate(record['bbox_info'])
        ]
        for line_no, line in enumerate(lines[:_TEXT_LINES]):
            text.text((left + 4, top + tile_size + line_no * _LINE_HEIGHT),
                      line, fill=(0, 0, 0), font=font)
    return grid
