#!/usr/bin/env bash
# The quickstart's ablations, after tools/quickstart.sh (which trains the
# full recipe into work_dirs/quickstart): the same tiny CLIP trained with
# the global loss alone (stage 1) and without the hard-negative loss, each
# evaluated as the quickstart evaluates its CLIP; F-ViT trained on the
# stage-1 CLIP; then one table of every run (the CLIP ensemble off / on is
# in each detector column). About 20 minutes on 2 cores.
# Results: work_dirs/quickstart_ablations/ (results.md: the table).
set -euo pipefail
# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
cd "$REPO_DIR"
PY="$VENV/bin/python"
DATA_DIR=data/synthetic
QUICKSTART=work_dirs/quickstart
OUT=work_dirs/quickstart_ablations
BOX_CLS_CONFIG=configs/eval/box-cls_vit-tiny_synthetic.py
FGOVD_CONFIG=configs/eval/region-ranking_vit-tiny_synthetic.py
DET_CONFIG=configs/quickstart/fvit_vit-tiny-fgclip_fpn_1xb8-2e_synthetic.py
if [[ ! -f "$QUICKSTART/results.md" ]]; then
    echo "run bash tools/quickstart.sh first (no $QUICKSTART/results.md)" >&2
    exit 1
fi

# clip_variant NAME CONFIG: train a CLIP variant and evaluate it.
clip_variant() {
    local name=$1 config=$2 ckpt
    echo; echo "[ablations] $name: $config"
    "$PY" tools/train.py "$config" --work-dir "$OUT/$name/train"
    ckpt=$(cat "$OUT/$name/train/last_checkpoint")
    "$PY" tools/test.py "$config" "$ckpt" --work-dir "$OUT/$name/clip"
    "$PY" tools/test.py "$BOX_CLS_CONFIG" "$ckpt" --work-dir "$OUT/$name/box_cls"
    "$PY" tools/test.py "$FGOVD_CONFIG" "$ckpt" --work-dir "$OUT/$name/fgovd"
}

clip_variant stage1 configs/quickstart/fgclip-stage1_vit-tiny_1xb16-12e_synthetic.py
clip_variant no_hard_negative \
    configs/quickstart/fgclip-stage2-no-hard-negative_vit-tiny_1xb16-12e_synthetic.py

echo; echo "[ablations] F-ViT on the stage-1 CLIP"
STAGE1_CKPT=$(cat "$OUT/stage1/train/last_checkpoint")
EMBEDDINGS=$OUT/stage1/shapes_stage1.pt
"$PY" tools/build_text_embeddings.py "$STAGE1_CKPT" --config "$DET_CONFIG" \
    --prefix clip. --vocab "$DATA_DIR/annotations/instances_val.json" \
    --out "$EMBEDDINGS"
DET_OPTIONS=(model.backbone.clip_checkpoint="$STAGE1_CKPT"
             model.roi_head.bbox_head.cls_predictor_cfg.embeddings="$EMBEDDINGS")
"$PY" tools/train.py "$DET_CONFIG" --work-dir "$OUT/stage1/det_train" \
    --cfg-options "${DET_OPTIONS[@]}"
DET_CKPT=$(cat "$OUT/stage1/det_train/last_checkpoint")
"$PY" tools/test.py "$DET_CONFIG" "$DET_CKPT" --work-dir "$OUT/stage1/detector" \
    --cfg-options "${DET_OPTIONS[@]}"
"$PY" tools/test.py "$DET_CONFIG" "$DET_CKPT" \
    --work-dir "$OUT/stage1/detector_no_ensemble" \
    --cfg-options "${DET_OPTIONS[@]}" model.roi_head.clip_roi_extractor=None

"$PY" tools/quickstart_report.py --run "FG-CLIP (quickstart)=$QUICKSTART" \
    --run "global + regional=$OUT/no_hard_negative" \
    --run "global loss alone (stage 1)=$OUT/stage1" \
    --hard-negative-ablation "global + regional" --out "$OUT/results.md"
