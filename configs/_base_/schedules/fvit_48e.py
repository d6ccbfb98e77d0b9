# F-ViT on OV-LVIS: 48 epochs with the OV-COCO optimiser (fvit_3e.py), a
# longer warm-up and steps at epochs 32 and 44 (this toolkit's choice).
_base_ = './fvit_3e.py'
max_epochs = 48
train_cfg = dict(max_epochs=max_epochs, val_interval=8)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=1000),
    dict(_base_.param_scheduler[1], end=max_epochs, milestones=[32, 44]),
]
