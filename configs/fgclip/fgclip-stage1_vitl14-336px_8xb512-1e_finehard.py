# FG-CLIP stage 1 on ViT-L/14 at 336 px: the ViT-B/16 stage-1 config with
# the ViT-L/14-336 tower at its input size.
_base_ = ['./fgclip-stage1_vitb16-224px_8xb512-1e_finehard.py']
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
