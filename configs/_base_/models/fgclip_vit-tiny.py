# The tiny CLIP of the quickstart (vision: width 128, 4 layers, 128 px,
# patch 8; text: width 64, 2 layers, 64-d embeddings), built from scratch:
# pretrained by configs/quickstart/fgclip-stage2_vit-tiny_*.py, frozen in the
# quickstart F-ViT and evaluated by configs/eval/*_synthetic.py, so all of
# them share this one definition. Patch 8 (a 16 x 16 grid) rather than 16:
# a shape must cover several patches before a tower this small learns what
# it looks like (docs/pretraining.md, "What the recipe needs").
tiny_clip_image_size = 128
tiny_clip_patch_size = 8
tiny_clip_model_cfg = dict(
    embed_dim=64,
    quick_gelu=True,
    vision_cfg=dict(
        image_size=tiny_clip_image_size, patch_size=tiny_clip_patch_size,
        width=128, layers=4, head_width=32),
    text_cfg=dict(
        context_length=77, vocab_size=49408, width=64, heads=4, layers=2))
tiny_clip = dict(type='FGCLIP', model_cfg=tiny_clip_model_cfg)
