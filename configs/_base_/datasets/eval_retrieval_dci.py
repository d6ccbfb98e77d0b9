# Long-caption retrieval on DCI (Densely Captioned Images): a json list of
# {image, caption}, captions on the long (248-token) path.
_base_ = './eval_retrieval_sharegpt4v.py'

test_dataloader = dict(
    dataset=dict(data_root='data/dci/', ann_file='dci_long.json'))
