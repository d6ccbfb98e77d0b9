# Ablation of the quickstart: global + regional losses, no hard negatives.
# tools/quickstart_ablations.sh compares it.
_base_ = ['./fgclip-stage2_vit-tiny_1xb16-12e_synthetic.py']
model = dict(hard_negative_head=None)
