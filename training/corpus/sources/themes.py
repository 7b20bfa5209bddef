"""Recorded sounds from the installed desktop sound themes and pygame's examples, mapped to labels.

The mapping is a reviewed table: each entry names a file (relative to its theme folder),
the label it carries and why. Files left out are listed too, with the reason, so that a
reviewer sees every decision. Files are read only from the themes that are installed; a
missing theme or a missing `pygame` is one log line, never an error.

Identical files (the themes share some) are one recording (`provenance.recording_id`): the
split assigns recordings, so the same file never lands in two splits.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from training.corpus.recordings import Recording
from training.corpus.sources.provenance import Provenance, copyright_stanzas, licence_for, sha256_of

log = logging.getLogger(__name__)

SOUNDS = Path("/usr/share/sounds")
THEME_DIRS: dict[str, Path] = {  # source name -> folder (Debian packages in brackets)
    "freedesktop": SOUNDS / "freedesktop" / "stereo",  # [sound-theme-freedesktop]
    "oxygen": SOUNDS,  # [oxygen-sounds] installs Oxygen-*.ogg at the top
    "yaru": SOUNDS / "Yaru" / "stereo",  # [yaru-theme-sound]
    "deepin": SOUNDS / "deepin" / "stereo",  # [deepin-sound-theme]
}
PYGAME_SOURCE = "pygame"  # pygame/examples/data inside the installed pygame package
THEME_PACKAGES = {"freedesktop": "sound-theme-freedesktop", "oxygen": "oxygen-sounds",
                  "yaru": "yaru-theme-sound", "deepin": "deepin-sound-theme", PYGAME_SOURCE: "pygame"}
PYGAME_LICENCE = "LGPL-2.1"  # pygame's licence (its examples ship inside the package)

_CHIME = "notification_chime"
_UI_CHIME = "a short synthetic UI tone or jingle: the sound of a notification"

# (source, file, label, reason). Reviewed by their name, length and spectrum (tonal vs noisy).
MAPPING: tuple[tuple[str, str, str, str], ...] = (
    ("freedesktop", "alarm-clock-elapsed.oga", "alarm_clock", "a ringing alarm clock, 6 s"),
    *(("freedesktop", f"audio-channel-{c}.oga", "speech", "a voice naming the speaker channel")
      for c in ("front-center", "front-left", "front-right", "rear-center", "rear-left",
                "rear-right", "side-left", "side-right")),
    ("freedesktop", "bell.oga", _CHIME, "a short ding"),
    ("freedesktop", "camera-shutter.oga", "camera_shutter", "a shutter click"),
    ("freedesktop", "screen-capture.oga", "camera_shutter", "the same shutter click (identical file)"),
    *(("freedesktop", f, _CHIME, _UI_CHIME)
      for f in ("complete.oga", "device-added.oga", "device-removed.oga", "dialog-error.oga",
                "dialog-warning.oga", "message-new-instant.oga", "message.oga",
                "network-connectivity-established.oga", "network-connectivity-lost.oga",
                "power-plug.oga", "power-unplug.oga", "service-login.oga", "service-logout.oga",
                "suspend-error.oga", "window-attention.oga", "window-question.oga")),
    ("freedesktop", "phone-incoming-call.oga", "phone_ringing", "an incoming-call ring"),
    ("oxygen", "Oxygen-Im-Phone-Ring.ogg", "phone_ringing", "a phone ringtone, 4 s"),
    *(("oxygen", f"Oxygen-{f}.ogg", _CHIME, _UI_CHIME)
      for f in ("Im-Cant-Connect", "Im-Connection-Lost", "Im-Contact-In", "Im-Contact-Out",
                "Im-Error-On-Connection", "Im-Highlight-Msg", "Im-Internal-Error", "Im-Irc-Event",
                "Im-Low-Priority-Message", "Im-Message-In", "Im-Message-Out", "Im-Network-Problems",
                "Im-New-Mail", "Im-Nudge", "Im-Sms", "Im-User-Auth", "K3B-Finish-Error",
                "K3B-Finish-Success", "K3B-Insert-Medium", "Sys-App-Error-Critical",
                "Sys-App-Error-Serious-Very", "Sys-App-Error-Serious", "Sys-App-Error",
                "Sys-App-Message", "Sys-App-Negative", "Sys-App-Positive", "Sys-Error-Printing",
                "Sys-File-Open-Foes", "Sys-List-End", "Sys-List-Match-Multiple", "Sys-List-Match-No",
                "Sys-Log-Out", "Sys-Question", "Sys-Special", "Sys-Warning")),
    *(("oxygen", f"Oxygen-Sys-{f}.ogg", "music", "KDE's login jingle: a tonal musical piece, 8-13 s")
      for f in ("Log-In", "Log-In-Long", "Log-In-Short", "Log-Out-Long")),
    *(("yaru", f, _CHIME, _UI_CHIME)
      for f in ("battery-low.oga", "bell.oga", "complete.oga", "device-added.oga", "device-removed.oga",
                "dialog-error.oga", "dialog-question.oga", "dialog-warning.oga", "message-new-email.oga",
                "message-new-instant.oga", "message.oga", "power-plug.oga", "power-unplug.oga")),
    ("deepin", "camera-shutter.wav", "camera_shutter", "a shutter click"),
    *(("deepin", f, _CHIME, _UI_CHIME)
      for f in ("complete-copy.wav", "complete-print.wav", "device-added.wav", "device-removed.wav",
                "dialog-error-critical.wav", "dialog-error-serious.wav", "dialog-error.wav", "message.wav",
                "power-plug.wav", "power-unplug-battery-low.wav", "power-unplug.wav",
                "screen-capture-complete.wav", "suspend-resume.wav", "x-deepin-app-sent-to-desktop.wav")),
    ("pygame", "boom.wav", "explosion", "the explosion of pygame's aliens example"),
    ("pygame", "car_door.wav", "car_door", "a car door slam (aliens example's shot sound)"),
    ("pygame", "whiff.wav", "whoosh", "a swing that misses (chimp example)"),
    ("pygame", "house_lo.wav", "music", "a house-music loop (the .ogg/.mp3 beside it are the same piece)"),
)

EXCLUDED: tuple[tuple[str, str, str], ...] = (
    ("freedesktop", "audio-test-signal.oga", "unclear content (not plainly speech or a tone)"),
    ("freedesktop", "audio-volume-change.oga", "shorter than 0.1 s"),
    ("freedesktop", "dialog-information.oga", "shorter than 0.1 s"),
    ("freedesktop", "phone-outgoing-busy.oga", "a caller's busy tone, not a ringing phone"),
    ("freedesktop", "phone-outgoing-calling.oga", "a caller's ringback tone, not a ringing phone"),
    ("freedesktop", "trash-empty.oga", "crumpled paper: no label for it"),
    ("oxygen", "Oxygen-Window-*.ogg", "low UI thumps below 400 Hz: neither chime nor whoosh"),
    ("oxygen", "Oxygen-Sys-Trash-Emptied.ogg", "a trash sound: no label for it"),
    ("yaru", "audio-volume-change.oga", "shorter than 0.1 s"),
    ("yaru", "desktop-login.oga, desktop-logoff.oga, system-ready.oga", "4 s startup jingles: neither chime nor music"),
    ("yaru", "trash-empty.oga", "a trash sound: no label for it"),
    ("deepin", "audio-volume-change.wav", "a 0.1 s tick"),
    ("deepin", "screen-capture.wav", "an unclear short click"),
    ("deepin", "desktop-login.wav, desktop-logout.wav, system-shutdown.wav", "long startup jingles"),
    ("deepin", "trash-empty.wav", "a trash sound: no label for it"),
    ("pygame", "punch.wav", "a punch: no label for it"),
    ("pygame", "secosmic_lo.wav", "a synthetic space effect: no label for it"),
    ("pygame", "house_lo.ogg, house_lo.mp3", "duplicates of house_lo.wav"),
)


def pygame_examples_dir() -> Path | None:
    """pygame/examples/data of the installed pygame, located without importing pygame."""
    spec = importlib.util.find_spec("pygame")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "examples" / "data"
    return path if path.is_dir() else None


def discover_themes(theme_dirs: dict[str, Path] | None = None, use_pygame: bool = True) -> list[Recording]:
    """The mapped recordings that exist on this machine, in table order."""
    dirs = dict(THEME_DIRS if theme_dirs is None else theme_dirs)
    if use_pygame:
        examples = pygame_examples_dir()
        if examples is None:
            log.info("pygame is not installed: skipping its example sounds (pip install pygame to add them)")
        else:
            dirs[PYGAME_SOURCE] = examples
    found, missing = [], set()
    for source, name, label, _reason in MAPPING:
        root = dirs.get(source)
        if root is None:
            continue
        path = root / name
        if not path.is_file():
            missing.add(source)
            continue
        digest = sha256_of(path)
        package = THEME_PACKAGES.get(source, source)
        licence = PYGAME_LICENCE if source == PYGAME_SOURCE else licence_for(
            copyright_stanzas(f"/usr/share/doc/{package}/copyright"), str(path).lstrip("/"))
        prov = Provenance(package=package, version="installed", path=str(path), licence=licence, sha256=digest)
        found.append(Recording(path=path, label=label, source=source, group=prov.recording_id, provenance=prov))
    for source in sorted(missing):
        log.info("sound theme %r is not (fully) installed under %s: its missing files are skipped", source, dirs[source])
    return found

