"""What every stage shares, torch-free (numpy only; soxr and soundfile imported lazily).

- `core.errors`: the root of the exception family, `ListenError`, and the errors core raises;
- `core.audio`: the audio constants and the Whisper log-mel front end;
- `core.audio_io`: reading audio files, and the one resampler (soxr);
- `core.labels`: the label vocabulary and which label a question names;
- `core.answers`: when an answer counts as "yes" (the device's rule and the paper's);
- `core.manifest`, `core.bundle`, `core.checksums`: the bundle contract between export and edge;
- `core.paths`: `$LISTEN_HOME` and the default weights.

Imports go one way: core <- {edge, firmware_bridge, training} <- export (docs/architecture.md).
"""
