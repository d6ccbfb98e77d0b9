# Class-name prompts of the synthetic set, in the grammar of its captions
# (fgclip_det/datasets/synthetic/expressions.py: a region is named by its
# bare shape, 'a <shape>' or 'a photo of a <shape>'). Read by the box
# classification config and, through --config, by
# tools/build_text_embeddings.py for the quickstart detector.
prompt_templates = ['{}', 'a {}', 'a photo of a {}']
