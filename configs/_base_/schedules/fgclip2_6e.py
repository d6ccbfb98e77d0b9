# FG-CLIP 2 stage-2 schedule, from the public launch script
# (360CVGroup/FG-CLIP scripts/train/stage2_fgclip2.sh): 6 epochs, AdamW with
# lr 1e-6, weight decay 0.001, betas (0.9, 0.98), eps 1e-6; warm-up over 3%
# of the steps (--warmup_ratio 0.03, linear from ~0 as HF's schedule), then
# cosine decay to 0 (--lr_scheduler_type cosine); bf16 (--bf16; the public
# run casts the model to bf16 under DeepSpeed ZeRO-2, here bf16 autocast).
max_epochs = 6
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

lr = 1e-6
# fgclip2/train/local_trainer.py, CLIPTrainer.create_optimizer: with
# --text_model_lr the parameters of dense_feature_head, boxtext_head and
# longtext_head (here clip.visual.dense_head, clip.box_text_projection,
# clip.long_text_projection) get that lr. The stage-2 script does not pass
# it, so they train at the base lr; the custom keys carry the ratio (set
# text_model_lr in a copy of this file to change it: the keys below are
# computed when the config is read).
text_model_lr = lr
_text_model_heads = ('clip.visual.dense_head', 'clip.box_text_projection',
                     'clip.long_text_projection')
# The public groups take no weight decay for LayerNorm parameters and every
# name with "bias" (get_parameter_names(model, ALL_LAYERNORM_LAYERS), "bias"
# filtered); norm_decay_mult / bias_decay_mult do so for the other modules,
# but mmengine skips them for custom keys, so the heads' biases and norm
# are keys of their own, as are logit_bias and the text tower's attention
# in_proj_bias (not named "bias").
_head_no_decay = (
    'clip.visual.dense_head.q.bias', 'clip.visual.dense_head.kv.bias',
    'clip.visual.dense_head.proj.bias', 'clip.visual.dense_head.norm',
    'clip.visual.dense_head.mlp.fc1.bias', 'clip.visual.dense_head.mlp.fc2.bias',
    'clip.box_text_projection.bias', 'clip.long_text_projection.bias')
_custom_keys = {key: dict(lr_mult=text_model_lr / lr) for key in _text_model_heads}
_custom_keys.update(
    {key: dict(lr_mult=text_model_lr / lr, decay_mult=0.0) for key in _head_no_decay})
_custom_keys.update({key: dict(decay_mult=0.0)
                     for key in ('clip.logit_bias', 'attn.in_proj_bias')})
paramwise_cfg = dict(
    norm_decay_mult=0.0, bias_decay_mult=0.0, bypass_duplicate=True,
    custom_keys=_custom_keys)
# fused=True: torch's one-kernel AdamW, the same update (docs/benchmarks.md)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=lr, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.001,
        fused=True),
    paramwise_cfg=paramwise_cfg)
warmup_epochs = 0.03 * max_epochs
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=warmup_epochs,
         end=max_epochs, eta_min=0.0, convert_to_iter_based=True),
]
# lr 1e-6 is for 8 devices x 512 images (--per_device_train_batch_size 512,
# --train_use_word_size 8).
auto_scale_lr = dict(enable=False, base_batch_size=4096)
