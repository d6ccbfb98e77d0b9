# The tiny CLIP of the quickstart (vision: width 128, 4 layers, 128 px,
# patch 16; text: width 64, 2 layers, 64-d embeddings), built from scratch:
# pretrained by configs/quickstart/fgclip-stage2_vit-tiny_*.py, frozen in the
# quickstart F-ViT and evaluated by configs/eval/*_synthetic.py, so all of
# them share this one definition. A step of stage 2 embeds ~700 short texts:
# the text tower, not the image tower, sets the speed, hence its small width.
tiny_clip_image_size = 128
tiny_clip_model_cfg = dict(
    embed_dim=64,
    quick_gelu=True,
    vision_cfg=dict(
        image_size=tiny_clip_image_size, patch_size=16, width=128, layers=4,
        head_width=32),
    text_cfg=dict(
        context_length=77, vocab_size=49408, width=64, heads=4, layers=2))
tiny_clip = dict(type='FGCLIP', model_cfg=tiny_clip_model_cfg)
