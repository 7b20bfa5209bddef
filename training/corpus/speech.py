"""Speech events spoken by espeak-ng: several languages, voice variants, rates and pitches.

A speech instance is (language, text, voice variant, rate, pitch). Splits are drawn by
*text* (see `instances.py`), so no sentence is heard in two splits, whatever the voice.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass

import numpy as np

from core.audio_io import resample
from training.corpus.dsp import SR, normalize_peak
from training.errors import CorpusError

TEXTS: dict[str, tuple[str, ...]] = {
    "en-us": (
        "Could you turn the lights off in the kitchen, please?",
        "I think the package arrived while we were out.",
        "Dinner will be ready in about twenty minutes.",
        "Have you seen my keys anywhere? I left them on the table.",
        "The meeting has been moved to Thursday afternoon.",
        "Let's take the dog for a walk before it gets dark.",
        "Don't forget to water the plants on the balcony.",
        "The weather forecast says it will be sunny tomorrow.",
        "Can you help me carry these boxes upstairs?",
        "I'll call you back as soon as I get home.",
        "We need more milk, eggs and a loaf of bread.",
        "The children are playing in the garden.",
        "Please close the window, it's getting cold in here.",
        "My train was delayed by almost half an hour.",
        "What time does the pharmacy open on Sundays?",
        "Remember to lock the front door when you leave.",
        "This soup tastes even better the next day.",
        "The printer in the office is out of paper again.",
        "I'm going to read for a while and then go to sleep.",
        "Turn left at the second traffic light, then go straight on.",
    ),
    "en-gb": (
        "Would you like a cup of tea before we head off?",
        "The bus stop is just round the corner from the library.",
        "I've booked a table for four at eight o'clock.",
        "It's been raining all week, hasn't it?",
        "Could you pick up the kids from school today?",
        "The football match starts at half past three.",
        "I reckon we should paint the hallway a lighter colour.",
        "Mind the step on your way out.",
    ),
    "de": (
        "Kannst du bitte das Fenster zumachen?",
        "Das Abendessen ist gleich fertig.",
        "Ich habe meinen Schlüssel schon wieder verloren.",
        "Morgen soll es den ganzen Tag regnen.",
        "Wir treffen uns um acht Uhr am Bahnhof.",
        "Vergiss nicht, die Blumen zu gießen.",
    ),
    "fr": (
        "Est-ce que tu peux fermer la porte, s'il te plaît ?",
        "Le dîner sera prêt dans dix minutes.",
        "J'ai oublié mon parapluie dans le train.",
        "On se retrouve devant la boulangerie à midi.",
        "Il fait vraiment froid ce matin.",
        "Les enfants jouent dans le jardin.",
    ),
    "es": (
        "¿Puedes apagar la luz de la cocina, por favor?",
        "La cena estará lista en media hora.",
        "Mañana vamos a visitar a mis abuelos.",
        "No encuentro las llaves del coche.",
        "El autobús llega a las siete y cuarto.",
        "Hace mucho calor en esta habitación.",
    ),
    "it": (
        "Puoi chiudere la finestra, per favore?",
        "La cena è quasi pronta.",
        "Domani andiamo al mare con gli amici.",
        "Ho dimenticato il telefono in macchina.",
        "Il treno parte alle nove e mezza.",
        "Questa pizza è davvero buona.",
    ),
}
VARIANTS = ("m1", "m3", "m5", "f1", "f2", "f3", "f4", "croak")  # espeak-ng voice variants
RATE_WPM = (130, 190)  # espeak-ng -s range, words per minute
PITCH = (25, 75)  # espeak-ng -p range (0-99)


@dataclass(frozen=True)
class SpeechInstance:
    lang: str  # espeak-ng voice name
    text_index: int  # index into TEXTS[lang]
    variant: str  # espeak-ng voice variant
    rate: int  # words per minute
    pitch: int  # 0-99

    @property
    def text(self) -> str:
        return TEXTS[self.lang][self.text_index]

    @property
    def instance_id(self) -> str:
        return f"espeak:{self.lang}:{self.text_index}:{self.variant}:{self.rate}:{self.pitch}"

    @property
    def group(self) -> str:
        """What a split must not share: the sentence."""
        return f"speech-text:{self.lang}:{self.text_index}"


def random_instance(rng: np.random.Generator, lang: str, text_index: int) -> SpeechInstance:
    return SpeechInstance(
        lang=lang,
        text_index=text_index,
        variant=str(rng.choice(VARIANTS)),
        rate=int(rng.integers(RATE_WPM[0], RATE_WPM[1] + 1)),
        pitch=int(rng.integers(PITCH[0], PITCH[1] + 1)),
    )


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(inst: SpeechInstance) -> np.ndarray:
    """Render one instance to a mono float32 waveform at SR (peak 0.5)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise CorpusError("espeak-ng is not installed; apt-get install espeak-ng, or build without speech (--no-speech)")
    cmd = [exe, "-v", f"{inst.lang}+{inst.variant}", "-s", str(inst.rate), "-p", str(inst.pitch), "--stdout", inst.text]
    out = subprocess.run(cmd, capture_output=True, check=False)
    if out.returncode != 0 or not out.stdout:
        raise CorpusError(f"espeak-ng failed for {inst.instance_id}: {out.stderr.decode(errors='replace').strip()}")
    with wave.open(io.BytesIO(out.stdout), "rb") as w:
        sr = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return normalize_peak(resample(x, sr, SR))
