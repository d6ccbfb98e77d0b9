# FG-CLIP stage 2 on ViT-L/14 at 336 px (see the ViT-B/16 config).
_base_ = ['./fgclip-stage2_vitb16-224px_8xb512-1e_finehard.py']
image_size = 336
pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=image_size),
    dict(
        type='PackCLIPInputs',
        short_caption_prefix={{_base_.short_caption_prefix}}),
]
model = dict(clip=dict(model_name='ViT-L-14-336'))
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
test_dataloader = val_dataloader
