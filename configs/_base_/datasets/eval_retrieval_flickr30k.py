# Short-caption retrieval on the Flickr30k 1k test split (Karpathy's
# dataset_flickr30k.json, 5 captions an image).
_base_ = './eval_retrieval_coco.py'

test_dataloader = dict(
    dataset=dict(
        data_root='data/flickr30k/',
        ann_file='dataset_flickr30k.json',
        data_prefix=dict(img='flickr30k-images/')))
