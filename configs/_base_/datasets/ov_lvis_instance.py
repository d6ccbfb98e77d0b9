# OV-LVIS: train on the frequent + common classes, test on all 1203 (mask
# APr on the 337 rare classes is the open-vocabulary number; LVISMetric also
# reports APc, APf and AP). The train file is lvis_v1_train.json without the
# annotations of rare classes (lvis_v1_train_norare.json, made by
# tools/data/make_ov_lvis.py). Large-scale jitter at 1024 x 1024 (the
# pipelines of ov_detection_pipelines.py, with masks), repeat-factor sampling
# (threshold 1e-3).
_base_ = ['./ov_detection_pipelines.py', './detection_loaders.py']

dataset_type = 'OVLVISDataset'  # LVISV1Dataset with its image files checked
data_root = 'data/lvis_v1/'
num_classes = 1203
# indices (mmdet's LVISV1Dataset order) of the classes whose LVIS v1
# 'frequency' is 'r'
novel_class_ids = [
    12, 13, 16, 19, 20, 29, 30, 37, 38, 39, 41, 48, 50, 51, 62, 68, 70, 77,
    81, 84, 92, 104, 105, 112, 116, 118, 122, 125, 129, 130, 135, 139, 141,
    143, 146, 150, 154, 158, 160, 163, 166, 171, 178, 181, 195, 201, 208,
    209, 213, 214, 221, 222, 230, 232, 233, 235, 236, 237, 239, 243, 244,
    246, 249, 250, 256, 257, 261, 264, 265, 268, 269, 274, 280, 281, 286,
    290, 291, 293, 294, 299, 300, 301, 303, 306, 309, 312, 315, 316, 320,
    322, 325, 330, 332, 347, 348, 351, 352, 353, 354, 356, 361, 363, 364,
    365, 367, 373, 375, 380, 381, 387, 388, 396, 397, 399, 404, 406, 409,
    412, 413, 415, 419, 425, 426, 427, 430, 431, 434, 438, 445, 448, 455,
    457, 466, 477, 478, 479, 480, 481, 485, 487, 490, 491, 502, 505, 507,
    508, 512, 515, 517, 526, 531, 534, 537, 540, 541, 542, 544, 550, 556,
    559, 560, 566, 567, 570, 571, 573, 574, 576, 579, 581, 582, 584, 593,
    596, 598, 601, 602, 605, 609, 615, 617, 618, 619, 624, 631, 633, 634,
    637, 639, 645, 647, 650, 656, 661, 662, 663, 664, 670, 671, 673, 677,
    685, 687, 689, 690, 692, 701, 709, 711, 713, 721, 726, 728, 729, 732,
    742, 751, 753, 754, 757, 758, 763, 768, 771, 777, 778, 782, 783, 784,
    786, 787, 791, 795, 802, 804, 807, 808, 809, 811, 814, 819, 821, 822,
    823, 828, 830, 848, 849, 850, 851, 852, 854, 855, 857, 858, 861, 863,
    868, 872, 882, 885, 886, 889, 890, 891, 893, 901, 904, 907, 912, 913,
    916, 917, 919, 924, 930, 936, 937, 938, 940, 941, 943, 944, 951, 955,
    957, 968, 971, 973, 974, 982, 984, 986, 989, 990, 991, 993, 997, 1002,
    1004, 1009, 1011, 1014, 1015, 1027, 1028, 1029, 1030, 1031, 1046, 1047,
    1048, 1052, 1053, 1056, 1057, 1074, 1079, 1083, 1115, 1117, 1118, 1123,
    1125, 1128, 1134, 1143, 1144, 1145, 1147, 1149, 1156, 1157, 1158, 1164,
    1166, 1192
]
image_size = (1024, 1024)
backend_args = _base_.backend_args
# the base pipelines at image_size, loading masks
_transforms = __import__('fgclip_det.datasets.transforms', fromlist=['at_size'])
train_pipeline, test_pipeline = (
    _transforms.at_size(pipeline, image_size, with_mask=True)
    for pipeline in (_base_.train_pipeline, _base_.test_pipeline))

train_dataloader = dict(
    dataset=dict(
        type='ClassBalancedDataset',
        oversample_thr=1e-3,
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='annotations/lvis_v1_train_norare.json',
            data_prefix=dict(img=''),
            filter_cfg=dict(filter_empty_gt=True, min_size=32),
            pipeline=train_pipeline,
            backend_args=backend_args)))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/lvis_v1_val.json',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='LVISMetric',
    ann_file=data_root + 'annotations/lvis_v1_val.json',
    metric=['bbox', 'segm'],
    backend_args=backend_args)
test_evaluator = val_evaluator
