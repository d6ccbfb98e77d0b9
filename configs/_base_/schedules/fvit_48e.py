# F-ViT on OV-LVIS: 48 epochs with the OV-COCO optimiser (fvit_3e.py), a
# longer warm-up and steps at epochs 32 and 44 (this toolkit's choice).
_base_ = './fvit_3e.py'
max_epochs = 48
train_cfg = dict(max_epochs=max_epochs, val_interval=8)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[32, 44],
        gamma=0.1)
]
