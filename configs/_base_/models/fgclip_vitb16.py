# FG-CLIP on OpenAI CLIP ViT-B/16, the model both pretraining stages train.
# Stage 1 trains the global (long + short caption) loss only; stage-2
# configs add the regional and hard-negative heads.
model = dict(
    type='FGCLIPPretrainer',
    clip=dict(
        type='FGCLIP',
        model_name='ViT-B-16',
        pretrained='openai',
        grad_checkpointing=True),
    global_head=dict(type='GlobalContrastiveHead'))
