"""Production workflows built from generate and evaluate: synthesize-and-measure (every Generate
click), partitioned generation on Dask (``generate --engine dask``) and the generator comparison
(the Generate page's first step). Experiments (collapse, augmentation, curves) sit above."""
