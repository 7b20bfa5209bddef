"""LISTEN data synthesis: positive and negative question/answer pairs written by the backbone LLM."""
