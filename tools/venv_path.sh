# Sourced by tools/install.sh, tools/run_tests.sh and tools/quickstart.sh:
# sets REPO_DIR and VENV (FGCLIP_DET_VENV, else the active venv, else
# <repo>/.venv).
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${FGCLIP_DET_VENV:-}" ]]; then
    VENV="$FGCLIP_DET_VENV"
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
    VENV="$VIRTUAL_ENV"
else
    VENV="$REPO_DIR/.venv"
fi
