# The tiny CLIP of the quickstart pretraining (fgclip_vit-tiny.py) at its
# input size, the CLIP of the CPU examples configs/eval/*_synthetic*.py,
# which evaluate its runner checkpoints: model = dict(_base_.vit_tiny_eval).
_base_ = ['./fgclip_vit-tiny.py']

vit_tiny_eval = dict(
    clip={{_base_.tiny_clip}},
    data_preprocessor=dict(size={{_base_.tiny_clip_image_size}}))
