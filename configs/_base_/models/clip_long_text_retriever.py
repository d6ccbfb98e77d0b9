# Image <-> text retrieval with long captions, on the long (248-token) path.
_base_ = ['./clip_retriever.py']

model = dict(long_text=True)
