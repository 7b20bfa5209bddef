"""The prompt around the audio, built ONCE from the LLM's chat template.

A user turn holding `<audio slot>\\n<question>` is rendered through the tokenizer's chat
template and cut at the two slots. The three text parts (and the end-of-turn text that
closes an answer) are saved with each checkpoint as `prompt.json`, so export writes the
exact same text into the bundle and the edge never re-derives it:

    before_audio  [soft tokens]  after_audio + question + after_question  ->  answer + answer_end

Each part is tokenized on its own, without added special tokens (the chat template
already holds them). Torch-free.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from training.errors import PromptError

AUDIO_SLOT = "\u27e6audio\u27e7"  # placeholders no tokenizer emits on its own
QUESTION_SLOT = "\u27e6question\u27e7"
ANSWER_SLOT = "\u27e6answer\u27e7"
# For tokenizers without a chat template (base models): a plain instruction layout.
FALLBACK_TEMPLATE = f"Audio: {AUDIO_SLOT}\nQuestion: {QUESTION_SLOT}\nAnswer: {ANSWER_SLOT}\n"


@dataclass(frozen=True)
class PromptTemplate:
    before_audio: str  # text before the soft tokens (system turn, user header)
    after_audio: str  # text between the soft tokens and the question
    after_question: str  # text after the question, ending with the assistant header
    answer_end: str  # text that closes an answer (the end-of-turn token); trained as a target
    source: str  # "chat_template" or "fallback", for the record

    def question_text(self, question: str) -> str:
        """The text that follows the soft tokens for one question."""
        return f"{self.after_audio}{question.strip()}{self.after_question}"

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> PromptTemplate:
        try:
            data = json.loads(Path(path).read_text())
            return cls(**data)
        except (OSError, ValueError, TypeError) as err:
            raise PromptError(f"cannot read prompt {path}: {err}; it is written by `listen train` next to the adapter") from err


def build_prompt(tokenizer) -> PromptTemplate:
    """Render the chat template once with slots and cut it into its text parts."""
    template = getattr(tokenizer, "chat_template", None)
    if template:
        user = [{"role": "user", "content": f"{AUDIO_SLOT}\n{QUESTION_SLOT}"}]
        try:
            prompt = tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True)
            full = tokenizer.apply_chat_template(
                user + [{"role": "assistant", "content": ANSWER_SLOT}], tokenize=False
            )
        except Exception as err:  # jinja errors of arbitrary templates
            raise PromptError(f"the LLM's chat template failed to render a user turn: {err}") from err
        source = "chat_template"
    else:
        prompt = FALLBACK_TEMPLATE.split(ANSWER_SLOT)[0]
        full = FALLBACK_TEMPLATE
        source = "fallback"
    if prompt.count(AUDIO_SLOT) != 1 or prompt.count(QUESTION_SLOT) != 1 or ANSWER_SLOT not in full:
        raise PromptError("the chat template dropped or repeated the user content; pass an LLM with a standard template")
    before_audio, rest = prompt.split(AUDIO_SLOT)
    after_audio, after_question = rest.split(QUESTION_SLOT)
    answer_end = full.split(ANSWER_SLOT, 1)[1].rstrip("\n") or (tokenizer.eos_token or "")
    return PromptTemplate(before_audio, after_audio, after_question, answer_end, source)
