# Box classification on LVIS v1 val: every box among the 1203 class names.
# LVIS images are the COCO 2017 images (paths taken from `coco_url`).
_base_ = './eval_box_cls_coco.py'

data_root = 'data/coco/'
ann_file = 'annotations/lvis_v1_val.json'
vocabulary = data_root + ann_file
test_dataloader = dict(
    batch_size=8, dataset=dict(ann_file=ann_file, data_prefix=dict(img='')))
