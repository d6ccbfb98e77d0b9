#!/usr/bin/env bash
# Install what is missing, then run the quickstart on the embedded synthetic
# data, on the CPU:
#   1. generate the synthetic set into data/synthetic (once),
#   2. pretrain a tiny FG-CLIP on it (stage 2: global, regional and
#      hard-negative losses) and evaluate it: hard-negative ranking, RoI box
#      classification by shape name, the synthetic FG-OVD benchmark,
#   3. embed the shape names with its text tower,
#   4. train the F-ViT detector on the frozen tiny CLIP with the base shapes,
#   5. evaluate it (AP50 on base / novel shapes) with and without the CLIP
#      ensemble, and draw its most confident boxes,
#   6. print every figure against its target (tools/quickstart_report.py).
# Results: work_dirs/quickstart/ (results.md: the table).
set -euo pipefail
# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
bash "$REPO_DIR/tools/install.sh"
cd "$REPO_DIR"
START=$(date +%s)
PY="$VENV/bin/python"
DATA_DIR=data/synthetic
CLIP_CONFIG=configs/quickstart/fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py
BOX_CLS_CONFIG=configs/eval/box-cls_vit-tiny_synthetic.py
FGOVD_CONFIG=configs/eval/region-ranking_vit-tiny_synthetic.py
DET_CONFIG=configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py
OUT=work_dirs/quickstart
# Where the detector config expects the CLIP checkpoint and class embeddings.
CLIP_WORK_DIR=work_dirs/$(basename "$CLIP_CONFIG" .py)
DET_WORK_DIR=work_dirs/$(basename "$DET_CONFIG" .py)
EMBEDDINGS=$DATA_DIR/embeddings/shapes_fgclip-tiny.pt

step() { echo; echo "[quickstart] $*"; }

if [[ ! -f "$DATA_DIR/manifest.json" ]]; then
    step "1/6 generating the synthetic data set into $DATA_DIR"
    "$PY" tools/data/make_synthetic.py "$DATA_DIR" --no-progress
fi
step "2/6 pretraining the tiny FG-CLIP (about 6 minutes on 2 cores)"
"$PY" tools/train.py "$CLIP_CONFIG" --work-dir "$CLIP_WORK_DIR"
CLIP_CKPT=$(cat "$CLIP_WORK_DIR/last_checkpoint")
"$PY" tools/test.py "$CLIP_CONFIG" "$CLIP_CKPT" --work-dir "$OUT/clip"
"$PY" tools/test.py "$BOX_CLS_CONFIG" "$CLIP_CKPT" --work-dir "$OUT/box_cls"
"$PY" tools/test.py "$FGOVD_CONFIG" "$CLIP_CKPT" --work-dir "$OUT/fgovd"
step "3/6 embedding the shape names with the pretrained text tower"
"$PY" tools/build_text_embeddings.py "$CLIP_CKPT" --config "$DET_CONFIG" \
    --prefix clip. --vocab "$DATA_DIR/annotations/instances_val.json" \
    --out "$EMBEDDINGS"
step "4/6 training F-ViT on the base shapes"
"$PY" tools/train.py "$DET_CONFIG" --work-dir "$DET_WORK_DIR" \
    --cfg-options model.backbone.clip_checkpoint="$CLIP_CKPT"
DET_CKPT=$(cat "$DET_WORK_DIR/last_checkpoint")
step "5/6 evaluating the detector on base and novel shapes"
"$PY" tools/test.py "$DET_CONFIG" "$DET_CKPT" --work-dir "$OUT/detector" \
    --show-dir vis --max-boxes 5 --relative-score-thr 0.3 \
    --cfg-options model.backbone.clip_checkpoint="$CLIP_CKPT"
"$PY" tools/test.py "$DET_CONFIG" "$DET_CKPT" \
    --work-dir "$OUT/detector_no_ensemble" \
    --cfg-options model.backbone.clip_checkpoint="$CLIP_CKPT" \
    model.roi_head.clip_roi_extractor=None
step "6/6 results (pictures: $OUT/detector/*/vis/)"
"$PY" tools/quickstart_report.py --run "FG-CLIP=$OUT" \
    --wall-seconds $(( $(date +%s) - START )) --out "$OUT/results.md"
