# Ablation of the quickstart: the same tiny CLIP, data and schedule with the
# global loss alone (long + short captions: FG-CLIP's stage 1, a plain CLIP
# with long captions). tools/quickstart_ablations.sh compares it.
_base_ = ['./fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py']
model = dict(regional_head=None, hard_negative_head=None)
custom_hooks = []  # no regional / hard-negative logit scales to start
