"""Recorded human speech: its packages, reviewed rules and exclusions (gathered by rules.py
and packages.py).

- `klettres-data` (KDE's KLettres, GPL-2+): letters and syllables spoken by native speakers, one
  short file each, in 20 languages (the handbook credits volunteers by language: Czech Eva
  Mikulčíková, Danish Erik Kjær Pedersen, French Ludovic Grossard, English Robert Wadley, ...).
- `ktuberling-data` (KDE's KTuberling, GPL-2+): the names of the playgrounds' objects ("nose",
  "pepperoni", "rocket") spoken in 24 languages; Nynorsk's are Ogg Opus (discover.py reads .opus).
  Tux's reactions (snores, laughs, "wow", "huh") are acted vocal effects, not plain speech: left out.
- `asterisk-core-sounds-{en,es,fr,it,ru}-wav`: Asterisk's telephone prompts ("please enter your
  password", digits, letters, the phonetic alphabet), 8 kHz 16-bit, each language read by one
  voice artist the copyright file names and whose sex the upstream folder states
  (`en_US_f_Allison`, `it_IT_m_Carlo`): Allison Smith (English and Mexican Spanish), June Wallack
  (Canadian French), Carlo Flora (Italian), a woman of ivrvoice.ru (Russian, "provided by Maxim
  Topal"). Labelled `female_speech` / `male_speech` by that; a pitch track agrees (the women's
  median F0 205-240 Hz; Carlo's harmonics about 125 Hz apart). Tones, beeps, silences and the
  `tt-monkeys` screeching are left out. CC-BY-SA-3.0 (en, es, fr) and CC-BY-3.0 (it, ru).

KLettres and KTuberling voices are labelled `speech`: their speakers are credited by name at best,
never with sex or age (some sound like children; not verifiable, so not `child_speech`). Looked at as
log-mel spectrograms, one or more files per language: natural voices with room noise and
breathing, no synthesiser (the Ogg tags name people and editors: Kwave, Sony Sound Forge).

Split groups (`SourcePackage.grouping`, shared across packages by `group_scope`): one speaker's
recordings must not straddle splits, or a test clip is heard in the voice the model trained on.
Asterisk: one group per voice (Allison's English and Spanish are one). KLettres and KTuberling:
one group per language folder across both packages (a language's speakers are few and may
have recorded for both; the four Serbian folders of KTuberling hold the same files).

Surveyed and left out: kanagram, khangman, blinken (UI cues and tones only; kanagram speaks
through Qt's text-to-speech), kgeography-data and artikulate (no sound in the Debian packages:
artikulate downloads its courses), pysiogame (UI cues; its speech is espeak's), gamine-data and
tuxtype-data (cues and jingles; their few voices are Tux's, pitched up, or one Danish "excuse
me"), asterisk-prompt-it-menardi-wav (a licence whose attribution condition asks every end user
to be shown the authors: beyond what a training corpus can carry), asterisk-prompt-fr-armelle and
asterisk-prompt-es-co (raw GSM 06.10 files, no reader), festvox-* and mbrola voices (synthesisers).
"""

from __future__ import annotations

import re

from training.corpus.sources.debian import SourcePackage
from training.corpus.sources.table import Exclusion, Rule

_KL, _KT = "klettres-data", "ktuberling-data"
KL = "usr/share/klettres/"
KT = "usr/share/ktuberling/sounds/"
AST = "usr/share/asterisk/sounds/"
KDE_VOICES = "kde-edu-voices"  # group scope: a language's speakers across KLettres and KTuberling
ASTERISK_VOICES = "asterisk-voices"  # group scope: one voice artist across the language packages

# (package, the voice's folder, label, who reads it, licence stanza of the copyright file)
ASTERISK: tuple[tuple[str, str, str, str, str], ...] = (
    ("asterisk-core-sounds-en-wav", "en_US_f_Allison", "female_speech", "Allison Smith", "*"),
    ("asterisk-core-sounds-es-wav", "es_MX_f_Allison", "female_speech", "Allison Smith", "*"),
    ("asterisk-core-sounds-fr-wav", "fr_CA_f_June", "female_speech", "June Wallack", "fr-*"),
    ("asterisk-core-sounds-it-wav", "it_IT_m_Carlo", "male_speech", "Carlo Flora", "it-*"),
    ("asterisk-core-sounds-ru-wav", "ru_RU_f_IvrvoiceRU", "female_speech", "ivrvoice.ru's voice", "ru-*"),
)
# Tux's reactions in KTuberling's Robin Hood playground (the same names in every language;
# French names them in words): acted snores, laughs and exclamations
TUX_REACTIONS = ("zzz", "laugh", "wow", "huh", "what", "angry", "sick", "stare", "love", "idea")
ROBIN_FR_REACTIONS = ("je-dors", "je-ris", "wouah", "heu", "quoi", "je-me-fache", "je-suis-malade", "j-examine",
                      "j-aime", "j-ai-une-idee")

SOURCES: tuple[SourcePackage, ...] = (
    SourcePackage(_KL, members=(KL + "*.ogg",), group_scope=KDE_VOICES,
                  grouping=((re.escape(KL) + r"([^/]+)/.*", r"\1"),)),
    SourcePackage(_KT, members=(KT + "*.ogg", KT + "*.wav", KT + "*.opus"), group_scope=KDE_VOICES,
                  grouping=((re.escape(KT) + r"(sr)(?:@\w+)?/.*", r"\1"), (re.escape(KT) + r"([^/]+)/.*", r"\1"))),
    *(SourcePackage(pkg, members=(AST + "*.wav",), group_scope=ASTERISK_VOICES,
                    grouping=((re.escape(f"{AST}{folder}/") + ".*", who),),
                    # the copyright file's stanzas name the source tree's folders ("fr-*")
                    licence_paths=((f"{AST}{folder}/*", stanza.replace("*", "sounds")),))
      for pkg, folder, _label, who, stanza in ASTERISK),
)

RULES: tuple[Rule, ...] = (
    Rule(_KL, KL + "*.ogg", "speech", "a letter or syllable spoken by a native speaker (20 languages)"),
    Rule(_KT, KT + "*", "speech", "an object's name spoken by a native speaker (24 languages)"),
    *(Rule(pkg, f"{AST}{folder}/*", label, f"a telephone prompt read by {who} (the copyright file's voice; "
                                            f"the folder names the sex)")
      for pkg, folder, label, who, _stanza in ASTERISK),
)

_TONES = "a tone or beep, not speech"
EXCLUSIONS: tuple[Exclusion, ...] = (
    *(Exclusion(_KT, f"{KT}*/tux-{r}.*", "Tux's reaction: an acted snore, laugh or exclamation, not plain speech")
      for r in TUX_REACTIONS),
    Exclusion(_KT, KT + "*/say-*", "Tux's reaction: an acted snore, laugh or exclamation, not plain speech"),
    *(Exclusion(_KT, f"{KT}fr/robin_{r}.*", "Tux's reaction (French): acted, not plain speech")
      for r in ROBIN_FR_REACTIONS),
    *(x for pkg, folder, *_ in ASTERISK for x in (
        Exclusion(pkg, f"{AST}{folder}/silence/*", "silence of 1-10 s"),
        Exclusion(pkg, f"{AST}{folder}/beep*.wav", _TONES),
        Exclusion(pkg, f"{AST}{folder}/*-2tone.wav", _TONES),
        Exclusion(pkg, f"{AST}{folder}/confbridge-join.wav", _TONES),
        Exclusion(pkg, f"{AST}{folder}/confbridge-leave.wav", _TONES),
        Exclusion(pkg, f"{AST}{folder}/tt-monkeys.wav", "monkeys screeching: no vocabulary label"))),
    Exclusion("asterisk-core-sounds-ru-wav", AST + "ru_RU_f_IvrvoiceRU/is.wav", "an empty file (no samples)"),
)

# Files the label checks removed (`listen corpus sources --check`, as in rules.CHECKED_OUT). The
# voices' other outliers (z 3.5-7: single spoken letters and short words whose spectrum is far
# from the label's mean, Setswana syllables, heavily compressed Brazilian Portuguese letters) were
# looked at as spectrograms (the dozen highest) and are plain speech: kept. The short ones
# (0.11-0.14 s: "a", "o", "is") are whole words: kept.
CHECKED_OUT: tuple[Exclusion, ...] = (
    Exclusion("asterisk-core-sounds-ru-wav", AST + "ru_RU_f_IvrvoiceRU/with.wav",
              "check: outlier of female_speech (z 12); Russian 'с', a lone /s/ hiss: no voice to hear"),
)
EXCLUSIONS = EXCLUSIONS + CHECKED_OUT
