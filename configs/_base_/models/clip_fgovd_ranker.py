# FG-OVD ranking (CLIPFGOVDRanker): each box scored against its positive and
# negative descriptions; region feature = RoIAlign of the dense map, texts on
# the short path.
_base_ = ['./clip_eval_data_preprocessor.py']

model = dict(
    type='CLIPFGOVDRanker',
    region_mode='roi',
    data_preprocessor={{_base_.clip_eval_data_preprocessor}})
