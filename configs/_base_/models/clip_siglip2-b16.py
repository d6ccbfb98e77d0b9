# SigLIP 2 ViT-B/16 (Tschannen et al., 2025, arXiv:2502.14786): open_clip
# `ViT-B-16-SigLIP2` with its `webli` weights, the CLIP of the
# configs/eval/*_siglip2-b16_*.py configs. Scores are the sigmoid loss's
# probabilities sigmoid(exp(s) * cos + b), with the model's logit scale s and
# bias b (FGCLIP.match_scores); they rank as the cosines. Its tokenizer is
# Gemma's, a HuggingFace one: it needs `transformers` and the tokenizer files
# of timm/ViT-B-16-SigLIP2 (downloaded on first use, or in the HF cache).
siglip2_b16_clip = dict(
    type='FGCLIP',
    model_name='ViT-B-16-SigLIP2',
    pretrained='webli',
    # dense / region features: the MAP head on every token, each token's
    # query attending over all tokens; 'value': each token's value only
    trunk_cfg=dict(dense_path='query'))
# open_clip.get_pretrained_cfg('ViT-B-16-SigLIP2', 'webli'): 224 px, mean =
# std = 0.5 (times 255: the preprocessor takes uint8 pixels), resize mode
# 'squash' -- both sides to 224, zero-shot too (no centre crop).
siglip2_b16_data_preprocessor = dict(
    size=224,
    resize='stretch',
    mean=(127.5, 127.5, 127.5),
    std=(127.5, 127.5, 127.5))
