# Long-caption retrieval on ShareGPT4V-1k: a json list of {image, caption}
# (1000 images, one long caption each), captions on the long (248-token)
# path (configs/_base_/models/clip_long_text_retriever.py).
_base_ = './eval_retrieval_coco.py'

test_dataloader = dict(
    dataset=dict(
        data_root='data/sharegpt4v/',
        ann_file='sharegpt4v_1k.json',
        ann_format='list',
        split=None,
        image_key='image',
        caption_key='caption',
        data_prefix=dict(img='')))
