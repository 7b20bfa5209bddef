"""Deterministic templated answers (`--answers template`, and the fallback for rejected generations).

Every template answer passes the consistency filter by construction (a test checks it).
"""

from __future__ import annotations

from training.synth.plan import SynthRequest
from training.synth.prompts import bare

EMPTY_SCENE = "only background noise, with no distinct sound events"


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def template_answer(req: SynthRequest, names: dict[str, str]) -> str:
    present = list(dict.fromkeys([e["label"] for e in req.clip.events] + list(req.clip.labels)))
    heard = join_names([names[lab] for lab in present])
    check = req.prompt.check
    obj = names.get(req.obj or "", "")
    if check == "describe":
        if req.prompt.id == "pos_caption" and req.clip.caption:
            return req.clip.caption
        if req.prompt.id == "pos_list":
            return f"The sound events are: {join_names([bare(names[lab]) for lab in present])}." if present else \
                f"There are no distinct sound events, only background noise."
        return f"I can hear {heard}." if present else f"I hear {EMPTY_SCENE}."
    if check == "yes":
        return f"Yes, I can hear {obj}."
    if check == "no":
        rest = f"I hear {heard}" if present else f"there is {EMPTY_SCENE}"
        return f"No, I cannot hear {obj} in this audio; {rest}."
    if check == "name_absent":
        return f"{_capital(obj)} is not in the audio."
    if check == "which_absent":
        return f"{_capital(obj)} is not in the audio; {names[req.other]} is."
    raise ValueError(f"no template for check {check!r}")
