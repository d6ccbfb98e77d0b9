# FG-CLIP 2 stage 2 on the base model: SigLIP global (long + short captions)
# + 0.2 region ITC + 0.1 textual intra-modal contrast + 0.5 hard negatives
# (fgclip2/model/strcs/fgclip2.py, FG_CLIP2_Model.forward), 8 devices x 512
# images (stage2_fgclip2.sh) on FineHARD at NaFlex resolution. The public
# run trains on English + Chinese pairs (--cn_and_en_2_train); only the
# English FineHARD layout is read here.
_base_ = [
    '../_base_/models/fgclip2_base.py',
    '../_base_/datasets/finehard_naflex.py',
    '../_base_/schedules/fgclip2_6e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    # Captions of all ranks as negatives (--loss_type reduce).
    global_head=dict(type='SigLIPGlobalHead', gather=True),
    regional_head=dict(type='RegionalContrastiveHead', loss_weight=0.2),
    textual_intra_loss=dict(type='TextualIntraContrastiveLoss', loss_weight=0.1),
    hard_negative_head=dict(type='FGCLIP2HardNegativeHead', loss_weight=0.5))
# The regional and hard-negative logit scales start at log(100), as the
# public script adds them (train_fgclip2.py: log_scale = 4.6052); FGCLIP2
# does so itself, so no InitRegionScalesHook (FG-CLIP v1 copies the global
# scale instead).
train_dataloader = dict(batch_size=512)  # --per_device_train_batch_size 512
# Iteration checkpoints every 2000 steps (--save_steps 2000), so that a
# stopped run resumes mid-epoch; the newest 2 kept (the public run keeps 36).
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=2000, max_keep_ckpts=2))
