# The quickstart pretraining data: the FineHARD-format captions of
#   python tools/data/make_synthetic.py data/synthetic
# read on the CPU (batch 16, 2 workers). The quickstart configs extend full
# FineHARD recipes, which define the loaders, so these are variables that a
# config fills with its pipeline (fgclip_det.utils.derived_config):
#   train_dataloader, val_dataloader = _configs.with_pipeline(
#       pipeline, _base_.synthetic_train_loader, _base_.synthetic_val_loader)
synthetic_data_root = 'data/synthetic/'
synthetic_dataset = dict(data_root=synthetic_data_root, data_prefix=dict(img_path=''))
synthetic_train_loader = dict(
    batch_size=16,
    num_workers=2,
    pin_memory=False,
    dataset=dict(synthetic_dataset, ann_file='finehard/train.json'))
synthetic_val_loader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(synthetic_dataset, ann_file='finehard/val.json'))
