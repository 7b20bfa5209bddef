"""Fetch Debian data packages and extract only their sounds and their copyright file.

Cache layout under `$LISTEN_HOME/sources/` (outside the repository):

```
debian/PKG_VERSION_all.deb              what `apt-get download PKG` wrote
extracted/PKG/usr/share/doc/PKG/copyright
extracted/PKG/<path in the package>     its audio files (SourcePackage.members)
extracted/PKG/<into>/<member>           audio inside an archive the package ships (InnerArchive:
                                        a zip, or a Qt resource file read by qtrcc.py)
extracted/PKG/sounds/NN_title.wav       sounds of an OpenTTD .cat container (opensfx.py)
extracted/PKG/rendered/FONT/BBB-PPP/ID.wav  notes, phrases and grooves rendered from a SoundFont
extracted/PKG/rendered/render.json      by fluidsynth (render.py), and what each WAV is; the
                                        .sf2/.sf3 itself is deleted once rendered
extracted/PKG/rendered/PATCH/sNN.wav    the samples of GUS patches (freepats.py), the same manifest;
                                        the .pat files are deleted once written
extracted/PKG/.stamp.json               what was extracted, from which .deb: a rerun with the
                                        same .deb and the same spec does nothing
```

The package's filesystem is streamed out of `dpkg-deb --fsys-tarfile` and only members
that match the spec's wildcards are written; an inner archive (0ad's `public.zip`,
warzone2100's `.wz`, GCompris's `.rcc`) is written to a temporary file, its matching members
extracted, and the archive deleted. Extraction goes to `PKG.part/` and is renamed into place, so an
interrupted run leaves no half-extracted package that looks complete.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from core.paths import listen_home
from training.corpus.sources.freepats import patch_settings_stamp, render_patches
from training.corpus.sources.opensfx import unpack_cat
from training.corpus.sources.qtrcc import read_rcc
from training.corpus.sources.render import render_package, render_settings_stamp
from training.errors import CorpusFileError, SourceFetchError

log = logging.getLogger(__name__)

STAMP_FILE = ".stamp.json"
CONTAINER_SOUNDS = "sounds"  # folder under extracted/PKG/ of the sounds unpacked from a .cat
AUDIO_PATTERNS = ("*.ogg", "*.oga", "*.wav", "*.flac", "*.aiff", "*.aif")  # how the packages below store sound
ARCHIVE_FORMATS = ("zip", "rcc")  # zip (also warzone2100's .wz); rcc: a Qt resource file


@dataclass(frozen=True)
class InnerArchive:
    path: str  # the zip's path inside the package, e.g. usr/share/games/0ad/mods/public/public.zip
    members: tuple[str, ...]  # wildcards of zip members to keep, e.g. ("audio/*",)
    into: str  # folder under extracted/PKG/ that receives them
    format: str = "zip"  # one of ARCHIVE_FORMATS


@dataclass(frozen=True)
class SourcePackage:
    package: str
    members: tuple[str, ...] = AUDIO_PATTERNS  # wildcards of package paths to extract
    archives: tuple[InnerArchive, ...] = ()
    containers: tuple[str, ...] = ()  # OpenTTD .cat files in the package, unpacked into sounds/
    soundfonts: tuple[str, ...] = ()  # .sf2/.sf3 files in the package, rendered into rendered/ (render.py)
    # folders of GUS patches (.pat) in the package, written out sample by sample into rendered/
    # (freepats.py); `members` must extract them. In the stamp only when set (see stamp_for).
    patches: tuple[str, ...] = field(default=(), metadata={"stamp": False})
    # the licence read by hand from a copyright file that is not machine-readable (DEP-5);
    # used when the copyright file gives none. Not part of the stamp.
    licence: str = field(default="", metadata={"stamp": False})
    eval_only: bool = False  # reserved for evaluation: never a training source
    # (regex, key template): the split group of the files a regex fullmatches is the package
    # and `match.expand(template)` (the first regex that matches wins); the velocity layers
    # and takes of one drum of one kit share a group, each file stays its own recording
    # (Recording.source_id). Other files: group = their recording id. Not part of the stamp.
    grouping: tuple[tuple[str, str], ...] = field(default=(), metadata={"stamp": False})
    # the prefix of the group keys `grouping` makes (default: the package): packages that share
    # a scope share groups (one speaker's recordings in two packages). Not part of the stamp.
    group_scope: str = field(default="", metadata={"stamp": False})
    # (path wildcard, path the copyright file names): a file's licence is looked up under the
    # second path when the first matches (hydrogen-drumkits' stanzas name the kit archives,
    # `drumkits/KIT.h2drumkit`, not the installed folders). Not part of the stamp.
    licence_paths: tuple[tuple[str, str], ...] = field(default=(), metadata={"stamp": False})

    def copyright_path(self) -> str:
        return f"usr/share/doc/{self.package}/copyright"

    def group_key(self, path: str) -> str | None:
        """The split group of a file by `grouping`, None when no regex matches it."""
        for regex, template in self.grouping:
            m = re.fullmatch(regex, path)
            if m:
                return f"{self.group_scope or self.package}:{m.expand(template)}"
        return None

    def licence_path(self, path: str) -> str:
        """The path to look a file's licence up under (see `licence_paths`)."""
        return next((named for pattern, named in self.licence_paths if fnmatch.fnmatchcase(path, pattern)), path)


def sources_dir() -> Path:
    return listen_home() / "sources"


def debs_dir() -> Path:
    return sources_dir() / "debian"


def extracted_dir(package: str) -> Path:
    return sources_dir() / "extracted" / package


# -- download --------------------------------------------------------------------------
def find_deb(package: str, folder: Path) -> Path | None:
    found = sorted(folder.glob(f"{package}_*.deb"))
    return found[-1] if found else None


def download(package: str, folder: Path) -> Path:
    """The package's .deb in `folder`, downloaded with `apt-get download` when absent."""
    folder.mkdir(parents=True, exist_ok=True)
    deb = find_deb(package, folder)
    if deb is None:
        log.info("downloading %s with apt-get into %s", package, folder)
        try:
            run = subprocess.run(["apt-get", "download", package], cwd=folder, capture_output=True, text=True)
        except FileNotFoundError:
            raise SourceFetchError(
                f"cannot download {package}: apt-get is not installed; on a non-Debian system place "
                f"{package}_*.deb in {folder} by hand") from None
        deb = find_deb(package, folder)
        if run.returncode != 0 or deb is None:
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceFetchError(
                f"apt-get download {package} failed ({last}); run `apt-get update`, check the network, "
                f"or place {package}_*.deb in {folder}")
    verify_deb(deb)
    return deb


def verify_deb(deb: Path) -> None:
    run = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True)
    if run.returncode != 0:
        raise SourceFetchError(f"{deb} is not a valid Debian package ({run.stderr.strip()[:200]}); delete it and rerun")


def deb_version(deb: Path) -> str:
    run = subprocess.run(["dpkg-deb", "--field", str(deb), "Version"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SourceFetchError(f"cannot read the version of {deb}: {run.stderr.strip()[:200]}; delete it and rerun")
    return run.stdout.strip()


# -- extraction ------------------------------------------------------------------------
def stamp_for(spec: SourcePackage, deb: Path) -> dict:
    """What an extraction is a function of: the .deb (name, size) and the spec."""
    spec_fields = {f.name for f in fields(spec) if f.metadata.get("stamp", True)}  # what extraction depends on
    spec_dict = {k: v for k, v in asdict(spec).items() if k in spec_fields}
    stamp = {"deb": deb.name, "deb_bytes": deb.stat().st_size, "version": deb_version(deb), "spec": spec_dict}
    if spec.soundfonts:  # changed render settings (or another fluidsynth) render again
        stamp["render"] = render_settings_stamp()
    if spec.patches:  # a field added later: absent from the other packages' stamps, so they stay valid
        stamp["patches"] = {"folders": list(spec.patches), **patch_settings_stamp()}
    return stamp


def read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_stamp(folder: Path, stamp: dict) -> None:
    (folder / STAMP_FILE).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def fetch(spec: SourcePackage, progress: bool = True) -> Path:
    """extracted/PKG for a package: downloaded and extracted once, then reused."""
    deb = download(spec.package, debs_dir())
    target = extracted_dir(spec.package)
    stamp = stamp_for(spec, deb)
    if read_stamp(target) == json.loads(json.dumps(stamp)):
        return target
    part = target.with_name(target.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    extract(spec, deb, part, progress)
    write_stamp(part, stamp)
    shutil.rmtree(target, ignore_errors=True)
    part.rename(target)
    return target


def wanted(spec: SourcePackage, name: str) -> bool:
    """Whether a package path (no leading ./) is extracted: its copyright file, an audio
    file, an inner archive, or a SoundFont."""
    return (name == spec.copyright_path() or any(a.path == name for a in spec.archives)
            or name in spec.containers or name in spec.soundfonts
            or any(fnmatch.fnmatch(name, p) for p in spec.members))


def extract(spec: SourcePackage, deb: Path, out: Path, progress: bool = True) -> None:
    """Stream the package's files through dpkg-deb and keep only the wanted ones."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    bar = _bar(deb.stat().st_size, f"extracting {spec.package}", progress)
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                bar.update(member.size if member.isfile() else 0)
                name = member.name.removeprefix("./")
                if member.isfile() and wanted(spec, name):
                    member.name = name
                    tar.extract(member, out, filter="data")
    except (tarfile.TarError, OSError) as err:
        raise SourceFetchError(f"cannot extract {deb} ({err}); delete it and rerun to download it again") from err
    finally:
        bar.close()
        proc.stdout.close()
        rc = proc.wait()
    if rc != 0:
        raise SourceFetchError(f"dpkg-deb --fsys-tarfile {deb} failed ({proc.stderr.read().decode()[:200].strip()}); "
                               f"delete it and rerun")
    if not (out / spec.copyright_path()).is_file():
        raise SourceFetchError(f"{deb} has no {spec.copyright_path()}: not the package expected for {spec.package}")
    for archive in spec.archives:
        extract_archive(out / archive.path, archive, out / archive.into, progress)
        (out / archive.path).unlink()
    for container in spec.containers:
        unpack_cat(out / container, out / CONTAINER_SOUNDS)
    if spec.soundfonts:
        render_package(out, spec.soundfonts, progress=progress)
    if spec.patches:
        render_patches(out, spec.patches)


def extract_archive(path: Path, archive: InnerArchive, out: Path, progress: bool = True) -> None:
    """Extract the archive members that match `archive.members` into `out` (zip-slip safe)."""
    if not path.is_file():
        raise SourceFetchError(f"the package has no {archive.path}: update the source table in {__name__}")
    if archive.format not in ARCHIVE_FORMATS:
        raise SourceFetchError(f"{archive.path}: unknown archive format {archive.format!r}; use one of {ARCHIVE_FORMATS}")
    try:
        with _open_archive(path, archive.format) as (members, read):
            names = [n for n in members if any(fnmatch.fnmatch(n, p) for p in archive.members)]
            root = out.resolve()
            bar = _bar(len(names), f"unpacking {path.name}", progress, unit="file")
            for name in names:
                dest = (out / name).resolve()
                if root not in dest.parents:
                    raise SourceFetchError(f"{path} member {name!r} points outside {out}; refusing to extract it")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(read(name))
                bar.update()
            bar.close()
    except (zipfile.BadZipFile, CorpusFileError, OSError) as err:
        raise SourceFetchError(f"cannot read the archive {archive.path} ({err}); delete the .deb and rerun") from err


@contextmanager
def _open_archive(path: Path, fmt: str) -> Iterator[tuple[list[str], Callable[[str], bytes]]]:
    """(member names, a reader of one member's bytes) of a zip or a Qt resource file."""
    if fmt == "rcc":
        entries = read_rcc(path)
        yield sorted(entries), entries.__getitem__
        return
    with zipfile.ZipFile(path) as z:
        yield [n for n in z.namelist() if not n.endswith("/")], z.read


def _bar(total: int, desc: str, enabled: bool, unit: str = "B"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", disable=not enabled, leave=False)
