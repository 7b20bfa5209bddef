"""`listen train`: the training loop (`loop.py`), its config, objective, run log and packaging."""
