"""Training rows, benchmark rows (`benchmark_io`: read by training's validation and `listen eval`),
the deterministic batch plan, and the cache of encoder states per clip."""
