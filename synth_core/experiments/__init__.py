"""Experiments on generated data: the model-collapse lab, rare-case augmentation and the
privacy–utility curve. Production workflows live in ``synth_core.workflows`` below."""
