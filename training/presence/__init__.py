"""Open-vocabulary presence: does the audio hold the sound a phrase names, for any phrase?

The listener that decides yes/no, apart from the LLM (issue 17):

    phrase ─► frozen LLM (mean of its last hidden states) ─► text projection ─┐
                                                                              ├─ cosine ─► logit per 1 s segment
    audio ─► frozen Whisper taps ─► 1 s segment means ─► audio projection ────┘     │ soft max over segments
                                                                                     ▼
                                                          clip logit ─► Platt calibration ─► P(present)

It trains CLAP-style on cached encoder features and cached phrase states (the labels'
names, synonyms and paraphrases), with no LLM in the loop: minutes, not hours. The edge runs
the same text tower with llama.cpp on the same GGUF and the projections as one ONNX graph.

Modules: `features` (segment pooling and its cache), `phrases` (what each label is called),
`text_tower` (phrase -> LLM states, transformers side), `model` (the two projections and the
score), `calibration` (Platt scaling, ECE, reliability plot), `train` (the loop), `cli`.
"""
