"""Benchmark FG-CLIP / F-ViT speed and memory with random weights.

    python tools/benchmark.py encode --model ViT-B-16 --batch-size 2
    python tools/benchmark.py boxcls --model ViT-B-16 --num-boxes 16
    python tools/benchmark.py detect fvit/fvit_vitb16-fgclip_fpn_8xb8-3e_ov-coco.py \
        --image-size 320
    python tools/benchmark.py pretrain CONFIG --batch-size 4
    python tools/benchmark.py fastpaths --model ViT-B-16 --image-size 224 --runs 5
    (every subcommand: --device cpu|cuda --amp --warmup N --runs N --out FILE)
"""
from analysis_tools.benchmark import main

if __name__ == '__main__':
    main()
