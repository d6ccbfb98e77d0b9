# Chinese short-caption retrieval on the Flickr30k-CN 1k test split (Lan et
# al., ACM MM 2017: Chinese captions of the Flickr30k test images; FG-CLIP 2
# evaluates Chinese retrieval on such sets). The file is Karpathy's layout
# with Chinese sentences, data/flickr30k/dataset_flickr30k_cn.json:
#   {"images": [{"filename": "1007129816.jpg", "split": "test",
#                "sentences": [{"raw": "一个戴着帽子的男人..."}, ...]}, ...]}
# (1000 test images, 5 captions each), the images those of Flickr30k
# (data/flickr30k/flickr30k-images/).
_base_ = './eval_retrieval_flickr30k.py'

test_dataloader = dict(dataset=dict(ann_file='dataset_flickr30k_cn.json'))
