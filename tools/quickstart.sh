#!/usr/bin/env bash
# Install what is missing, then run the quickstart on the embedded synthetic
# data, on the CPU:
#   1. generate the synthetic set into data/synthetic (once),
#   2. train the quickstart detector on its base shapes,
#   3. evaluate the final checkpoint and draw its predictions.
# Results: work_dirs/quickstart/ (train logs, checkpoints) and
# work_dirs/quickstart/test/ (metrics JSON, images under */vis/).
set -euo pipefail
# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
bash "$REPO_DIR/tools/install.sh"
cd "$REPO_DIR"
PY="$VENV/bin/python"
DATA_DIR=data/synthetic
CONFIG=configs/quickstart/faster-rcnn_r18-tiny_fpn_1xb8-12e_synthetic.py
WORK_DIR=work_dirs/quickstart

if [[ ! -f "$DATA_DIR/manifest.json" ]]; then
    "$PY" tools/data/make_synthetic.py "$DATA_DIR"
fi
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
"$PY" tools/test.py "$CONFIG" "$(cat "$WORK_DIR/last_checkpoint")" \
    --work-dir "$WORK_DIR/test" --show-dir vis
echo "[quickstart] metrics: $(ls -t "$WORK_DIR"/test/*/*.json | head -n 1)"
