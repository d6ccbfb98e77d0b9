# Short-caption retrieval on the synthetic retrieval/val.json (short text path).
# The long-caption example with the short captions:
#   python tools/test.py configs/eval/retrieval_vit-tiny_synthetic-short.py CHECKPOINT
_base_ = ['./retrieval_vit-tiny_synthetic-long.py']

model = dict(long_text=False)
test_dataloader = dict(dataset=dict(caption_key='short_caption'))
