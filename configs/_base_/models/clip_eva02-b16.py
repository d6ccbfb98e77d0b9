# EVA-02-CLIP-B/16 (Sun et al., 2023, arXiv:2303.15389): open_clip
# `EVA02-B-16` with its `merged2b_s8b_b131k` weights, the CLIP of the
# configs/eval/*_eva02-clip-b16_*.py configs. Input as
# open_clip.get_pretrained_cfg('EVA02-B-16', 'merged2b_s8b_b131k') gives it:
# 224 px with CLIP's mean and std, the defaults of CLIPEvalDataPreprocessor.
# Dense / region features: the timm EVA trunk's last block with attention
# replaced by its value path (as for open_clip ViTs); scores are cosines.
eva02_b16_clip = dict(
    type='FGCLIP', model_name='EVA02-B-16', pretrained='merged2b_s8b_b131k')
