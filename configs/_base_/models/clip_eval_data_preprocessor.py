# The input of the CLIP evaluation models (fgclip_det/models/evaluators):
# images loaded at full size, resized on the device to 224 px squares, both
# sides stretched (boxes follow), then CLIP's mean / std. A leaf sets its
# CLIP's input (model.data_preprocessor.size, mean, std).
clip_eval_data_preprocessor = dict(
    type='CLIPEvalDataPreprocessor', size=224, resize='stretch')
