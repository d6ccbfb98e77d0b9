#!/usr/bin/env bash
# Install fgclip_det and everything it needs into a virtual environment.
#
#   bash tools/install.sh            # runtime only
#   bash tools/install.sh --tests    # runtime + test requirements + the web
#                                    # demo's (gradio; its test needs it) +
#                                    # DeepSpeed (its ZeRO-2 training test)
#
# Environment variables:
#   FGCLIP_DET_VENV   virtual environment to create or reuse
#                     (default: the active one, else <repo>/.venv)
#   FGCLIP_DET_CACHE  where built mmcv and DeepSpeed wheels are kept
#                     (default: ~/.cache/fgclip_det)
#   PYTHON            interpreter used to create the venv (default: python3)
#   TORCH_SPEC        torch pins used when the venv has no torch
#                     (default: "torch==2.14.1 torchvision==0.29.1")
#   FORCE_CUDA=1      build mmcv's CUDA ops even if no GPU is visible
#   MAX_JOBS          parallel compile jobs for mmcv (default: nproc)
#
# Idempotent: a second run checks what is there and installs only what is
# missing; the mmcv wheel built on the first run is reused from the cache.
set -euo pipefail

MMCV_VERSION=2.1.0
# The newest DeepSpeed that MMEngine 0.10.7's DeepSpeedStrategy imports
# (0.19.7 removed deepspeed.runtime.fp16.onebit); see docs/distributed.md.
DEEPSPEED_VERSION=0.19.6
DEFAULT_TORCH_SPEC="torch==2.14.1 torchvision==0.29.1"
MIN_PY_MINOR=10           # torch >= 2.5 needs Python >= 3.10
MIN_FREE_GB_TORCH=12      # torch + CUDA runtime wheels unpacked
MIN_FREE_GB=3

# shellcheck source=tools/venv_path.sh
source "$(dirname "${BASH_SOURCE[0]}")/venv_path.sh"
WITH_TESTS=0
for arg in "$@"; do
    case "$arg" in
        --tests) WITH_TESTS=1 ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "install.sh: unknown argument '$arg' (expected --tests or --help)" >&2; exit 2 ;;
    esac
done

say() { echo "[install] $*"; }
die() { echo "[install] ERROR: $*" >&2; exit 1; }

free_gb() { df -Pk "$1" | awk 'NR==2 {print int($4 / 1048576)}'; }

check_disk() {
    local need=$1 where=$2 have
    have=$(free_gb "$where")
    if (( have < need )); then
        die "only ${have} GB free on the disk of $where; about ${need} GB are needed."
    fi
}

CACHE_ROOT="${FGCLIP_DET_CACHE:-$HOME/.cache/fgclip_det}"

# install_cached_wheel NAME VERSION TAG BUILD NOTE: pip-install the wheel of
# NAME==VERSION kept in $CACHE_ROOT/wheels/NAME-VERSION-TAG; when none is
# kept there, first run `BUILD WHEEL_DIR TMP_DIR` (download the sdist into
# TMP_DIR, build the wheel into WHEEL_DIR), its output in a log shown on
# failure. NOTE says how long the build takes.
install_cached_wheel() {
    local name=$1 version=$2 tag=$3 build=$4 note=$5
    local dir="$CACHE_ROOT/wheels/$name-$version-$tag" wheel start
    wheel=$(ls "$dir/$name-$version"-*.whl 2>/dev/null | head -n 1 || true)
    if [[ -n "$wheel" ]]; then
        say "installing cached $(basename "$wheel") ($tag)"
    else
        mkdir -p "$dir"
        check_disk "$MIN_FREE_GB" "$CACHE_ROOT"
        say "building $name $version from source ($tag): $note. The wheel is kept in $dir."
        # Global, so that the exit trap still sees it on a failure or Ctrl-C.
        BUILD_TMP=$(mktemp -d)
        trap 'rm -rf "$BUILD_TMP"' EXIT
        start=$(date +%s)
        "$build" "$dir" "$BUILD_TMP" > "$BUILD_TMP/build.log" 2>&1 \
            || { tail -n 40 "$BUILD_TMP/build.log" >&2; die "$name build failed (log above)."; }
        rm -rf "$BUILD_TMP"
        say "$name built in $(( ($(date +%s) - start) / 60 )) min"
        wheel=$(ls "$dir/$name-$version"-*.whl 2>/dev/null | head -n 1 || true)
        [[ -n "$wheel" ]] || die "the $name build wrote no wheel into $dir."
    fi
    "${PIP[@]}" install -q "$wheel"
}

# ---------------------------------------------------------------- venv
PYTHON_BIN="${PYTHON:-python3}"

if [[ ! -x "$VENV/bin/python" ]]; then
    command -v "$PYTHON_BIN" >/dev/null \
        || die "'$PYTHON_BIN' not found; install Python 3.$MIN_PY_MINOR+ or set PYTHON=/path/to/python3."
    "$PYTHON_BIN" -c "import sys; sys.exit(sys.version_info < (3, $MIN_PY_MINOR))" \
        || die "$("$PYTHON_BIN" -V 2>&1) is too old: fgclip_det needs Python 3.$MIN_PY_MINOR or newer (set PYTHON=...)."
    "$PYTHON_BIN" -c "import venv, ensurepip" 2>/dev/null \
        || die "$PYTHON_BIN has no venv/ensurepip module (Debian: apt-get install python3-venv)."
    mkdir -p "$(dirname "$VENV")"
    check_disk "$MIN_FREE_GB" "$(dirname "$VENV")"
    say "creating virtual environment $VENV"
    "$PYTHON_BIN" -m venv "$VENV"
else
    say "reusing virtual environment $VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
"$PY" -c "import sys; sys.exit(sys.version_info < (3, $MIN_PY_MINOR))" \
    || die "$VENV runs $("$PY" -V 2>&1); fgclip_det needs Python 3.$MIN_PY_MINOR or newer."

# ---------------------------------------------------------------- torch
if "$PY" -c "import torch, torchvision" 2>/dev/null; then
    say "keeping installed $("$PY" -c 'import torch, torchvision; print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")')"
else
    check_disk "$MIN_FREE_GB_TORCH" "$VENV"
    spec="${TORCH_SPEC:-$DEFAULT_TORCH_SPEC}"
    say "installing $spec (a few GB; about a minute from a local wheel, longer over the network)"
    # shellcheck disable=SC2086
    "${PIP[@]}" install -q $spec
fi

# ---------------------------------------------------------------- mmcv
mmcv_ok() {
    "$PY" - <<EOF 2>/dev/null
import mmcv, mmcv.ops
assert mmcv.__version__.startswith("${MMCV_VERSION%.*}."), mmcv.__version__
EOF
}

if mmcv_ok; then
    say "keeping installed mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with compiled ops"
else
    read -r TORCH_VER CUDA_TAG CXX_STD PY_TAG < <("$PY" - <<'EOF'
import os, sys, torch
from torch.utils.cpp_extension import CUDA_HOME
base = torch.__version__.split("+")[0]
major, minor = (int(x) for x in base.split(".")[:2])
want_cuda = (torch.version.cuda is not None and CUDA_HOME is not None
             and (torch.cuda.is_available() or os.environ.get("FORCE_CUDA") == "1"))
cuda = "cu" + torch.version.cuda.replace(".", "") if want_cuda else "cpu"
# torch >= 2.10 headers need C++20; older ones are built with C++17.
std = "c++20" if (major, minor) >= (2, 10) else "c++17"
print(base, cuda, std, f"cp{sys.version_info.major}{sys.version_info.minor}")
EOF
    )
    # build_mmcv WHEEL_DIR TMP_DIR (for install_cached_wheel)
    build_mmcv() {
        local wheel_dir=$1 tmp=$2 src force_cuda=0
        # Each step checked: `set -e` does not apply inside a function run
        # as `build || ...`.
        command -v "${CXX:-g++}" \
            || { echo "no C++ compiler ('${CXX:-g++}') found; mmcv's ops are compiled here (Debian: apt-get install g++)."; return 1; }
        if [[ "$CUDA_TAG" != cpu ]]; then
            force_cuda=1
            command -v nvcc || [[ -x "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" ]] \
                || { echo "CUDA ops requested but nvcc not found; install the CUDA toolkit matching torch ($CUDA_TAG) or unset FORCE_CUDA."; return 1; }
        fi
        # mmcv's setup.py imports pkg_resources: build with a setuptools known to
        # build it; the toolkit's own requirements restore a newer one below.
        "${PIP[@]}" install -q "setuptools<70" wheel ninja || return 1
        "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation \
            "mmcv==$MMCV_VERSION" -d "$tmp" || return 1
        tar -xzf "$tmp/mmcv-$MMCV_VERSION.tar.gz" -C "$tmp" || return 1
        src="$tmp/mmcv-$MMCV_VERSION"
        sed -i "s/-std=c++1[47]/-std=$CXX_STD/g; s#/std:c++1[47]#/std:$CXX_STD#g" "$src/setup.py" || return 1
        MMCV_WITH_OPS=1 FORCE_CUDA=$force_cuda MAX_JOBS="$JOBS" \
            "${PIP[@]}" wheel --no-deps --no-build-isolation -w "$wheel_dir" "$src"
    }
    JOBS="${MAX_JOBS:-$(nproc)}"
    if [[ "$CUDA_TAG" == cpu ]]; then eta="10-25 minutes on 2 cores"; else eta="30-60 minutes on 2 cores, a few minutes on 16+"; fi
    install_cached_wheel mmcv "$MMCV_VERSION" "torch$TORCH_VER-$CUDA_TAG-$PY_TAG" build_mmcv \
        "-std=$CXX_STD, $JOBS jobs, once, $eta"
    mmcv_ok || die "mmcv installed from the wheel cache but 'import mmcv.ops' fails; delete $CACHE_ROOT/wheels/mmcv-$MMCV_VERSION-* and rerun."
fi

# ---------------------------------------------------------------- the toolkit
extras=""
[[ "$WITH_TESTS" == 1 ]] && extras="[tests,demo]"
say "installing fgclip_det$extras (editable) and its requirements"
# Naming setuptools moves it to the newest release that still has
# pkg_resources (see requirements/runtime.txt); torch stays as it is.
# editable_mode=compat: a .pth file puts the repository on sys.path (the
# default import hook would lose to the folder made below); --use-pep517
# makes pip 23 pass that setting on instead of running `setup.py develop`.
"${PIP[@]}" install -q --use-pep517 --config-settings editable_mode=compat \
    -e "$REPO_DIR$extras" "setuptools<81" --upgrade
# mim (openmim 0.3) looks for the package in <site-packages>/fgclip_det (the
# distribution's location joined with the module name), where an editable
# install has nothing: link the files of fgclip_det/.mim (configs/, tools/,
# model-index.yml) there one by one. pip replaces a linked file rather than writing through it; the
# links go into the install's RECORD, so `pip uninstall fgclip_det` removes
# them. Rerun this script after adding a config or metafile.
"$PY" - "$REPO_DIR" <<'EOF'
import glob, os, os.path as osp, shutil, sys, sysconfig
repo, site = sys.argv[1], sysconfig.get_paths()['purelib']
src_root = osp.join(repo, 'fgclip_det', '.mim')
dst_root = osp.join(site, 'fgclip_det', '.mim')
if osp.islink(dst_root):
    os.remove(dst_root)
shutil.rmtree(dst_root, ignore_errors=True)  # removes links, never their targets
links = []
for root, dirs, files in os.walk(src_root, followlinks=True):
    dirs[:] = [d for d in dirs if d != '__pycache__']
    for name in files:
        src = osp.join(root, name)
        dst = osp.join(dst_root, osp.relpath(src, src_root))
        os.makedirs(osp.dirname(dst), exist_ok=True)
        os.symlink(osp.realpath(src), dst)
        links.append(osp.relpath(dst, site))
records = glob.glob(osp.join(site, 'fgclip_det-*.dist-info', 'RECORD'))
if len(records) != 1 or not links:
    sys.exit(f'[install] ERROR: no single fgclip_det RECORD in {site} or no mim files in {src_root}')
with open(records[0], encoding='utf-8') as f:
    listed = {line.split(',', 1)[0] for line in f}
with open(records[0], 'a', encoding='utf-8') as f:
    f.writelines(f'{path},,\n' for path in links if path not in listed)
print(f'[install] linked {len(links)} mim files into {dst_root}')
EOF
# ---------------------------------------------------------------- deepspeed
# From its sdist without DeepSpeed's GPU ops (DS_BUILD_OPS=0); on a CPU-only
# machine with the shared-memory op of its CPU accelerator compiled in, which
# it would otherwise compile on the first run of every process (~90 s).
deepspeed_ok() {
    "$PY" -c "import importlib.metadata as m; assert m.version('deepspeed') == '$DEEPSPEED_VERSION'" 2>/dev/null
}
if [[ "$WITH_TESTS" == 1 ]]; then
    if deepspeed_ok; then
        say "keeping installed deepspeed $DEEPSPEED_VERSION"
    else
        read -r TORCH_VER DS_TAG PY_TAG < <("$PY" - <<'EOF'
import sys, torch
print(torch.__version__.split("+")[0], "cuda" if torch.cuda.is_available() else "cpu",
      f"cp{sys.version_info.major}{sys.version_info.minor}")
EOF
        )
        # build_deepspeed WHEEL_DIR TMP_DIR (for install_cached_wheel)
        build_deepspeed() {
            local shm=0
            [[ "$DS_TAG" == cpu ]] && shm=1
            "${PIP[@]}" download -q --no-deps --no-binary :all: "deepspeed==$DEEPSPEED_VERSION" -d "$2" \
                || return 1
            DS_BUILD_OPS=0 DS_BUILD_SHM_COMM=$shm "${PIP[@]}" wheel --no-deps --no-build-isolation \
                -w "$1" "$2/deepspeed-$DEEPSPEED_VERSION.tar.gz"
        }
        install_cached_wheel deepspeed "$DEEPSPEED_VERSION" "torch$TORCH_VER-$DS_TAG-$PY_TAG" build_deepspeed \
            "DS_BUILD_OPS=0, the shared-memory op on CPU-only machines; about 3 minutes on 2 cores"
        deepspeed_ok || die "deepspeed installed from the wheel cache but is not version $DEEPSPEED_VERSION; delete $CACHE_ROOT/wheels/deepspeed-$DEEPSPEED_VERSION-* and rerun."
    fi
fi
"$PY" -c "import fgclip_det, mmdet, mmcv.ops, open_clip, lvis, pycocotools; print('[install] ready: fgclip_det', fgclip_det.__version__, '| mmdet', mmdet.__version__, '| mmcv', mmcv.__version__)"
