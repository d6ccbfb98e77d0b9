# The tiny CLIP of configs/quickstart/fgclip-stage2_vit-tiny_*.py (vision:
# width 128, 4 layers, 128 px, patch 16; text: width 64, 2 layers), for the
# configs/eval/*_synthetic.py examples on the synthetic set
# (tools/data/make_synthetic.py data/synthetic) that run on a CPU in under
# a minute. Leaf configs use it as {{_base_.synthetic_clip}}.
synthetic_image_size = 128
synthetic_clip = dict(
    type='FGCLIP',
    model_cfg=dict(
        embed_dim=64,
        quick_gelu=True,
        vision_cfg=dict(
            image_size=synthetic_image_size, patch_size=16, width=128,
            layers=4, head_width=32),
        text_cfg=dict(
            context_length=77, vocab_size=49408, width=64, heads=4,
            layers=2)))
