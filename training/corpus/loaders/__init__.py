"""Loaders that map real datasets into the corpus clip index schema.

Each loader reads a dataset's own metadata (AudioCaps CSV, ESC-50 `meta/esc50.csv`,
AudioSet segment CSVs with the ontology, a generic JSONL, a Hugging Face dataset) and
returns `ClipRecord`s whose `audio` is absolute; `write_imported` turns them into a corpus
folder (clips.jsonl, labels.json, stats.json).
"""
