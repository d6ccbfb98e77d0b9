# Image <-> text retrieval (CLIPRetriever), captions on the short (77-token)
# path; long captions: clip_long_text_retriever.py.
_base_ = ['./clip_eval_data_preprocessor.py']

model = dict(
    type='CLIPRetriever',
    long_text=False,
    data_preprocessor={{_base_.clip_eval_data_preprocessor}})
