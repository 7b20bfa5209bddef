"""Sound corpora: the event library, the scene mixer, and loaders for real datasets.

Layout of a corpus folder and the clip index schema: see `clip_index.py` and docs/corpus.md.
"""
