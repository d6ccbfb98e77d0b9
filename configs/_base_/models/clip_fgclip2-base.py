# FG-CLIP 2 base (Xie et al., 2025, arXiv:2510.10921), the CLIP of the
# configs/eval/*_fgclip2-base_*.py configs: the released qihoo360/fg-clip2-base
# folder (config.json, model.safetensors, tokenizer.json) under
# checkpoints/fg-clip2-base, read without transformers or remote code. Scores
# are sigmoid(exp(s) * cos + b) (FGCLIP2.match_scores); region-vs-text
# matching (box classification, FG-OVD) uses the box walk
# (encode_region_text), whole images the short / long walk.
fgclip2_base_clip = dict(type='FGCLIP2', pretrained='checkpoints/fg-clip2-base')
# NaFlex input, each image at its own aspect ratio and patch grid: the
# dynamic patch budget of FG-CLIP 2's public evaluation and README
# (fgclip2/eval/fgovd.py: max_num_patches=determine_max_value(image), 128 to
# 1024 patches by the original image's 16 px grid), PIL bilinear, mean = std
# = 0.5, done by the data preprocessor (as the square CLIP configs resize
# there). Boxes follow the resize; regions are pooled on each image's grid.
# It replaces the benchmark's square CLIPEvalDataPreprocessor (_delete_) and
# pads each batch to its largest bucket (padding is masked).
fgclip2_base_data_preprocessor = dict(
    _delete_=True,
    type='NaFlexEvalDataPreprocessor',
    patch_size=16,
    resize=dict(dynamic_max_patches=True))
