# Box classification (CLIPBoxClassifier): each ground-truth box against the
# class names of `vocabulary` (a leaf sets its dataset base's `vocabulary`),
# ViLD prompt ensemble; region features = RoIAlign (1x1) of the dense map of
# the whole image (FG-CLIP's region features).
_base_ = ['./clip_eval_data_preprocessor.py']

model = dict(
    type='CLIPBoxClassifier',
    templates='vild',
    region_mode='roi',  # or 'crop' (with crop_scale, e.g. 1.5)
    data_preprocessor={{_base_.clip_eval_data_preprocessor}})
