"""A web page that detects any vocabulary in an uploaded image.

It shows the boxes, a table of them and the region-text heatmap of one
class, with sliders for the score threshold and the number of boxes.

    bash tools/quickstart.sh        # once: the default checkpoints
    python tools/web_demo.py        # then open http://127.0.0.1:7860
    python tools/web_demo.py \
        --config configs/fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py \
        --checkpoint fvit_ov-coco.pth \
        --clip-checkpoint fgclip_vitb16-224px_upstream --device cuda:0

Without flags it serves the quickstart's F-ViT and FG-CLIP, read from the
paths ``tools/quickstart.sh`` writes, relative to the working directory (run
it from the repository root). The boxes are drawn as by ``tools/demo.py``:
the image upscaled to a 512 px shorter side, the boxes chosen by score and
top-k, and the heatmap coloured over its value range, with its colour bar.
Needs gradio (``pip install -r requirements/demo.txt``).
"""
import argparse
import os
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple

import mmcv
import numpy as np

from fgclip_det.apis import (
    OpenVocabDetector,
    add_colour_bar,
    overlay_heatmap,
    text_similarity,
)
from fgclip_det.datasets.class_names import check_class_names
from fgclip_det.visualization import (
    ReadableDetLocalVisualizer,
    draw_detections,
    select_instances,
)

try:
    import gradio as gr
except ImportError as error:  # an optional dependency
    raise SystemExit('web_demo.py: error: needs gradio: pip install -r '
                     'requirements/demo.txt') from error

#: What ``tools/quickstart.sh`` trains, relative to the repository root; the
#: config names the FG-CLIP checkpoint (``model.backbone.clip_checkpoint``).
QUICKSTART_CONFIG = 'configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py'
QUICKSTART_CHECKPOINT = ('work_dirs/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic/'
                         'epoch_2.pth')
QUICKSTART_CLIP_CHECKPOINT = ('work_dirs/fgclip-stage2_vit-tiny_1xb16-12e_synthetic/'
                              'epoch_5.pth')
TABLE_HEADERS = ['class', 'score', 'x1', 'y1', 'x2', 'y2']

#: The prediction: boxes drawn, heatmap drawn, table rows.
Outputs = Tuple[np.ndarray, np.ndarray, List[list]]


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=QUICKSTART_CONFIG,
                        help='detector config file or model-index name '
                        '(default: the quickstart F-ViT)')
    parser.add_argument('--checkpoint', default=QUICKSTART_CHECKPOINT,
                        help='detector checkpoint file or model-index name '
                        '(default: the quickstart F-ViT)')
    parser.add_argument('--clip-checkpoint',
                        help="FG-CLIP toolkit checkpoint (file or model-index "
                        "name) for the text tower and the heatmap (default: "
                        "the config's model.backbone.clip_checkpoint)")
    parser.add_argument('--clip-prefix', default='',
                        help='key prefix of FGCLIP in --clip-checkpoint')
    parser.add_argument('--device', default='cpu', help="e.g. 'cuda:0'")
    parser.add_argument('--host', default='127.0.0.1',
                        help="address to serve on ('0.0.0.0': every "
                        "interface; default: 127.0.0.1)")
    parser.add_argument('--port', type=int, default=7860,
                        help='port to serve on (default: 7860)')
    return parser.parse_args(argv)


def check_quickstart_files(args: argparse.Namespace) -> None:
    """``SystemExit`` naming the missing quickstart files, when the default
    config and checkpoint are used."""
    if (args.config, args.checkpoint) != (QUICKSTART_CONFIG,
                                          QUICKSTART_CHECKPOINT):
        return
    needed = [QUICKSTART_CONFIG, QUICKSTART_CHECKPOINT]
    if args.clip_checkpoint is None:
        needed.append(QUICKSTART_CLIP_CHECKPOINT)
    missing = [path for path in needed if not osp.isfile(path)]
    if missing:
        raise SystemExit(
            f'web_demo.py: error: no {", ".join(missing)} in {os.getcwd()}: '
            'run `bash tools/quickstart.sh` first and start the demo in the '
            'repository root, or pass --config and --checkpoint')


def load_detector(args: argparse.Namespace) -> OpenVocabDetector:
    """The detector of the flags; ``SystemExit`` with the reason if it
    cannot be built."""
    check_quickstart_files(args)
    try:
        return OpenVocabDetector(
            args.config, args.checkpoint, clip_checkpoint=args.clip_checkpoint,
            clip_prefix=args.clip_prefix, device=args.device)
    except (OSError, KeyError, ValueError) as error:
        raise SystemExit(f'web_demo.py: error: {error}') from None


def split_vocabulary(text: str) -> List[str]:
    """The class names of a comma- or newline-separated text, blanks
    skipped."""
    return [name.strip() for name in re.split(r'[,\n]', text) if name.strip()]


def detect(detector: OpenVocabDetector,
           visualizer: ReadableDetLocalVisualizer,
           image: Optional[np.ndarray],
           vocabulary: str,
           score_thr: float,
           max_boxes: int,
           heatmap_class: Optional[str] = None) -> Outputs:
    """Detect ``vocabulary`` in ``image`` and draw the result.

    Args:
        detector (OpenVocabDetector): The model.
        visualizer (ReadableDetLocalVisualizer): Draws the boxes.
        image (np.ndarray, optional): ``(H, W, 3)`` uint8 RGB.
        vocabulary (str): Class names, comma- or newline-separated.
        score_thr (float): Keep boxes scoring at least this.
        max_boxes (int): Keep at most this many, the highest-scoring.
        heatmap_class (str, optional): Text of the heatmap. Defaults to
            None: the first class.

    Returns:
        tuple: The image with the boxes, the heatmap with the boxes and its
        colour bar (both RGB, upscaled to a 512 px shorter side), and the
        rows ``[class, score, x1, y1, x2, y2]`` by decreasing score.

    Raises:
        ValueError: Without an image, without a class name, or for two
            names that collide.
    """
    if image is None:
        raise ValueError('upload an image first')
    names = split_vocabulary(vocabulary)
    check_class_names(names, 'the vocabulary')
    detector.set_vocabulary(names)
    sample = detector.predict([mmcv.rgb2bgr(image)])[0]
    sample.pred_instances = select_instances(
        sample.pred_instances, int(max_boxes), score_thr=score_thr)
    visualizer.dataset_meta = detector.model.dataset_meta
    boxes = draw_detections(visualizer, 'boxes', image, sample, draw_gt=False)

    text = heatmap_class or names[0]
    similarity = text_similarity(detector.clip, image, text)
    value_range = (float(similarity.min()), float(similarity.max()))
    heatmap = overlay_heatmap(image, similarity, value_range=value_range)
    heatmap = draw_detections(visualizer, 'heatmap', heatmap, sample,
                              draw_gt=False)
    heatmap = add_colour_bar(heatmap, *value_range,
                             label=f'cosine similarity to "{text}"')

    pred = sample.pred_instances
    rows = [[names[label], round(score, 3), *(round(v, 1) for v in box)]
            for label, score, box in zip(pred.labels.tolist(),
                                         pred.scores.tolist(),
                                         pred.bboxes.tolist())]
    return boxes, heatmap, rows


def build_app(detector: OpenVocabDetector,
              vocabulary: Sequence[str] = ()) -> gr.Blocks:
    """The demo page (not launched) for ``detector``.

    Args:
        detector (OpenVocabDetector): The model; one request at a time uses
            it.
        vocabulary (Sequence[str]): The initial class names. Defaults to
            none.
    """
    visualizer = ReadableDetLocalVisualizer(name=f'web_demo_{id(detector)}')

    def predict(*inputs) -> Outputs:
        try:
            return detect(detector, visualizer, *inputs)
        except (TypeError, ValueError) as error:
            raise gr.Error(str(error)) from None

    def heatmap_choices(text: str) -> gr.Dropdown:
        names = split_vocabulary(text)
        return gr.Dropdown(choices=names, value=names[0] if names else None)

    with gr.Blocks(title='fgclip_det web demo',
                   analytics_enabled=False) as app:
        gr.Markdown('## Open-vocabulary detection with F-ViT and FG-CLIP')
        with gr.Row():
            with gr.Column():
                image = gr.Image(type='numpy', image_mode='RGB', label='Image',
                                 sources=['upload', 'clipboard'],
                                 elem_id='image')
                text = gr.Textbox(', '.join(vocabulary), lines=3,
                                  label='Vocabulary (comma- or '
                                  'newline-separated class names)',
                                  elem_id='vocabulary')
                score_thr = gr.Slider(0, 1, value=0.3, step=0.01,
                                      label='Score threshold',
                                      elem_id='score-thr')
                max_boxes = gr.Slider(1, 100, value=10, step=1,
                                      label='Max boxes (top-k)',
                                      elem_id='max-boxes')
                heatmap_class = gr.Dropdown(
                    list(vocabulary), value=vocabulary[0] if vocabulary else None,
                    allow_custom_value=True, label='Heatmap class (or any text)',
                    elem_id='heatmap-class')
                button = gr.Button('Detect', variant='primary', elem_id='detect')
            with gr.Column():
                boxes = gr.Image(label='Detections', format='png',
                                 interactive=False, buttons=['download'],
                                 elem_id='boxes')
                heatmap = gr.Image(label='Region-text heatmap', format='png',
                                   interactive=False, buttons=['download'],
                                   elem_id='heatmap')
                table = gr.Dataframe(headers=TABLE_HEADERS, label='Boxes',
                                     interactive=False, elem_id='table')
        text.change(heatmap_choices, text, heatmap_class)
        button.click(predict,
                     [image, text, score_thr, max_boxes, heatmap_class],
                     [boxes, heatmap, table], concurrency_limit=1)
    return app


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    detector = load_detector(args)
    build_app(detector, detector.cfg.get('classes', ())).launch(
        server_name=args.host, server_port=args.port)


if __name__ == '__main__':
    main()
