"""Sound corpora: the event library, the scene mixer, and loaders for real datasets.

Layout of a corpus folder and the manifest schema: see `manifest.py` and docs/corpus.md.
"""
