#!/usr/bin/env bash
# Install what is missing, then run the quickstart on the embedded synthetic
# data, on the CPU:
#   1. generate the synthetic set into data/synthetic (once),
#   2. pretrain a tiny FG-CLIP on it (stage 2: global, regional and
#      hard-negative losses) and evaluate it on the synthetic FG-OVD benchmark,
#   3. embed the shape names with its text tower,
#   4. train the F-ViT detector on the frozen tiny CLIP with the base shapes,
#   5. evaluate it (AP50 on base / novel / all shapes) and draw its boxes.
# Results: work_dirs/<config name>/ for each step.
set -euo pipefail
# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
bash "$REPO_DIR/tools/install.sh"
cd "$REPO_DIR"
PY="$VENV/bin/python"
DATA_DIR=data/synthetic
CLIP_CONFIG=configs/quickstart/fgclip-stage2_vit-tiny_1xb16-20e_synthetic.py
FGOVD_CONFIG=configs/eval/region-ranking_vit-tiny_synthetic.py
DET_CONFIG=configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-12e_synthetic.py
# Where the detector config expects the CLIP checkpoint and class embeddings.
CLIP_WORK_DIR=work_dirs/$(basename "$CLIP_CONFIG" .py)
DET_WORK_DIR=work_dirs/$(basename "$DET_CONFIG" .py)
EMBEDDINGS=$DATA_DIR/embeddings/shapes_fgclip-tiny.pt

step() { echo; echo "[quickstart] $*"; }

if [[ ! -f "$DATA_DIR/manifest.json" ]]; then
    step "1/5 generating the synthetic data set into $DATA_DIR"
    "$PY" tools/data/make_synthetic.py "$DATA_DIR"
fi
step "2/5 pretraining the tiny FG-CLIP (a few minutes on 2 cores)"
"$PY" tools/train.py "$CLIP_CONFIG" --work-dir "$CLIP_WORK_DIR"
CLIP_CKPT=$(cat "$CLIP_WORK_DIR/last_checkpoint")
"$PY" tools/test.py "$FGOVD_CONFIG" "$CLIP_CKPT" \
    --work-dir "work_dirs/$(basename "$FGOVD_CONFIG" .py)"
step "3/5 embedding the shape names with the pretrained text tower"
"$PY" tools/build_text_embeddings.py "$CLIP_CKPT" --config "$DET_CONFIG" \
    --prefix clip. --vocab "$DATA_DIR/annotations/instances_val.json" \
    --out "$EMBEDDINGS"
step "4/5 training F-ViT on the base shapes"
"$PY" tools/train.py "$DET_CONFIG" --work-dir "$DET_WORK_DIR" \
    --cfg-options model.backbone.clip_checkpoint="$CLIP_CKPT"
step "5/5 evaluating the detector on base and novel shapes"
"$PY" tools/test.py "$DET_CONFIG" "$(cat "$DET_WORK_DIR/last_checkpoint")" \
    --work-dir "$DET_WORK_DIR/test" --show-dir vis \
    --cfg-options model.backbone.clip_checkpoint="$CLIP_CKPT"
echo "[quickstart] detector metrics: $(ls -t "$DET_WORK_DIR"/test/*/*.json | head -n 1)"
