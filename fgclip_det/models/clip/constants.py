"""Constants of the FG-CLIP dual encoder, defined once for the whole toolkit."""
import math

#: Per-channel mean / std of the OpenAI CLIP image preprocessing (RGB, 0-1).
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

#: Token length of the short-text path (the CLIP position table).
SHORT_CONTEXT_LENGTH = 77
#: Leading positions of the short table copied unchanged into the long one.
LONG_KEEP_POSITIONS = 20
#: Each remaining short position becomes this many long positions.
LONG_STRETCH_FACTOR = 4
#: Token length of the long-text path: 20 + 4 * (77 - 20) = 248.
LONG_CONTEXT_LENGTH = LONG_KEEP_POSITIONS + LONG_STRETCH_FACTOR * (
    SHORT_CONTEXT_LENGTH - LONG_KEEP_POSITIONS)

#: Initial value of every learnable logit scale, log(1 / 0.07) as in CLIP.
LOGIT_SCALE_INIT = math.log(1 / 0.07)

#: The learnable log-scales of the CLIP models, by the loss that reads them:
#: global (image <-> caption), regional and hard-negative.
LOGIT_SCALES = ('logit_scale', 'logit_scale_region', 'logit_scale_hardneg')
#: The log-scales of the stage-2 (region) losses.
REGION_LOGIT_SCALES = LOGIT_SCALES[1:]
