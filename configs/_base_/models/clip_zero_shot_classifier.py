# Zero-shot classification (CLIPZeroShotClassifier) against the class names
# of `vocabulary` (a leaf sets its dataset base's `vocabulary`), CLIP's 80
# ImageNet templates; images resized (shorter side) and centre-cropped as in
# CLIP.
_base_ = ['./clip_eval_data_preprocessor.py']

model = dict(
    type='CLIPZeroShotClassifier',
    templates='imagenet',
    data_preprocessor=dict(
        _base_.clip_eval_data_preprocessor, resize='center_crop'))
