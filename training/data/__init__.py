"""Training rows, the deterministic batch plan, and the cache of encoder states per clip."""
