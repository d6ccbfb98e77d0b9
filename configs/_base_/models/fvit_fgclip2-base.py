# FG-CLIP 2 base (Xie et al., 2025, arXiv:2510.10921) as F-ViT's frozen
# tower, for the configs/fvit/fvit_fgclip2-base_*.py configs: the released
# qihoo360/fg-clip2-base folder under checkpoints/fg-clip2-base (NaFlex
# SigLIP 2 B/16, 12 blocks of width 768; read without transformers or remote
# code). The detector input is one padded batch: one patch grid, the learned
# position grid resized to it as FG-CLIP 2's processor does (bilinear,
# antialiased). Dense map: the trained dense head, every token its own query
# over all tokens (FGCLIP2.encode_dense), after the last block.
# A leaf's model is fvit_fgclip2_model with its class embeddings merged into
# roi_head (fgclip_det.utils.derived_config.merged).
fvit_fgclip2_model = dict(
    # FG-CLIP 2's processor: x / 255, then (x - 0.5) / 0.5, i.e. mean = std
    # = 0.5 x 255 on the preprocessor's 0-255 pixels
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),
    backbone=dict(
        clip=dict(
            _delete_=True,  # not the FG-CLIP base's open_clip fields
            type='FGCLIP2',
            arch='base',  # without pretrained (a folder's config.json wins)
            pretrained='checkpoints/fg-clip2-base'),
        out_indices=[3, 5, 7, 11],
        clip_checkpoint=None,
        # no attention-free last block: the dense head follows the last block
        last_block='attention'),
    # the embedding width (the MAP heads have no projection)
    roi_head=dict(clip_roi_extractor=dict(out_channels=768)))
