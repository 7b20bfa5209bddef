"""The model: frozen Whisper encoder (tapped) -> trainable Q-Former adapter (`qformer.py`) ->
frozen LLM fed soft tokens; its configs, prompt, token sequences, generation and checkpoints."""
