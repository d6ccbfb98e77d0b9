# FineHARD (configs/_base_/datasets/finehard.py: 4 regions an image, "a
# photo of " before short captions, region captions short / long 50/50) read
# at variable resolution for FG-CLIP 2's NaFlex towers.
_base_ = ['./finehard.py']
# fgclip2/train/train_fgclip2.py, LazySupervisedBboxDataset.__getitem__:
# images with a side under 128 px are first stretched to box_image_size
# squared (--box_image_size 512 in stage2_fgclip2.sh).
small_image_side, small_image_size = 128, 512
# Each image is resized to the patch bucket of its own size (128 / 256 /
# 576 / 784 / 1024 patches, NaFlexResize(dynamic_max_patches=True)) and the
# batch is padded to the largest bucket (the data preprocessor's
# max_num_patches=None). The public collator instead resizes every image of
# a batch to the bucket of its largest image (DataCollatorForSupervisedDataset).
naflex_pipeline = [
    dict(type='LoadCLIPImage'),
    dict(type='ResizeToSquare', size=small_image_size, min_side=small_image_side),
    dict(type='NaFlexResize', patch_size=16, dynamic_max_patches=True),
    dict(type='PackCLIPInputs', short_caption_prefix={{_base_.short_caption_prefix}}),
]
train_dataloader = dict(dataset=dict(pipeline=naflex_pipeline))
val_dataloader = dict(dataset=dict(pipeline=naflex_pipeline))
test_dataloader = val_dataloader
