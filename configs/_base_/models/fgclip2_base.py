# FG-CLIP 2 base (SigLIP 2 B/16 NaFlex towers plus the dense, box and
# long-text heads), the model configs/fgclip2 trains. Its sizes and
# tokenizer come from a released folder (config.json, model.safetensors,
# tokenizer.json), e.g. `huggingface-cli download qihoo360/fg-clip2-base
# --local-dir checkpoints/fg-clip2-base`; the public stage-2 run starts from
# SigLIP 2 base NaFlex instead (--from_siglip2), which FGCLIP2 does not read.
# `clip=dict(pretrained=None, arch='base', tokenizer_file=...)` starts from
# the ARCH preset at random.
model = dict(
    type='FGCLIP2Pretrainer',
    # --gradient_checkpointing True (stage2_fgclip2.sh)
    clip=dict(
        type='FGCLIP2',
        pretrained='checkpoints/fg-clip2-base',
        grad_checkpointing=True),
    global_head=dict(type='SigLIPGlobalHead'),
    data_preprocessor=dict(type='FGCLIP2DataPreprocessor', patch_size=16))
