"""The trained-model registry: versioned models on disk, with metadata, metrics and aliases.

Layout, readable by a person::

    ROOT/
      complaints/                   one folder per model name
        aliases.json                {"production": 2, ...}
        1/                          one folder per version
          model.cnlp                the artifact (a zip of JSON and arrays: loading runs no code from it)
          metadata.json             what it was trained on, how well it did, checksums
        2/ ...

A version appears only complete: it is written in a temporary folder and renamed into place;
the version number is claimed first with an atomic mkdir, so concurrent saves never collide.
"""
import contextlib
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn

from .._classifier import ComplaintClassifier
from .._evaluate import DISAGREEMENT_COLUMNS, Comparison, compare
from .._locks import held
from .._values import MODEL_SUFFIXES, PathLike, is_int, is_number
from .._version import __version__
from ..exceptions import IncompatibleModelError, IntegrityError, InvalidNameError, ModelNotFoundError
from ..io import STALE_SECONDS, move_into_place, temporary_beside, without_text_hashes, write_json
from ._file import check_savable, jsonable, load_model, save_model, saved_params
from ._skops import convert_model

# Lower case only (a file system that ignores case would take Model and model for one folder), and
# Chinese characters (unified ideographs: no case, and none that a file system rewrites).
NAME_PATTERN = re.compile(r"[a-z0-9\u4e00-\u9fff][a-z0-9\u4e00-\u9fff_.-]{0,63}")
# What Windows cannot hold as a folder's name: a device's (con, nul, com1, also with an ending), one ending in "."
# (stored without it: desk. would be desk's folder).
WINDOWS_UNSAFE = re.compile(r"(?:(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?|.*\.)")
ARTIFACT, METADATA, ALIASES = "model.cnlp", "metadata.json", "aliases.json"
LEGACY_ARTIFACT = "model.skops"  # what consumer_nlp 0.1 stored; converted by convert_legacy()
ALIASES_LOCK = ".aliases.lock"  # held while aliases.json is read, changed and written


def _check_name(value: str, what: str, *, lookup: bool = False) -> str:
    """``value`` if it is made as a model name or an alias (``what``) must be; where it is looked up (``lookup``),
    not given to save under, it is refused as one no model or alias can have."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value):
        said = f"no {what} can be {value!r}" if lookup else f"invalid {what} {value!r}: use"
        raise InvalidNameError(f"{said}: {'names are ' if lookup else ''}1-64 characters a-z, 0-9, Chinese characters, "
                               f"'_', '.', '-', starting with a letter, a digit or a Chinese character", "characters",
                               name=value, parameter="alias" if what == "alias" else "name", lookup=lookup)
    return value


def check_model_name(name: str) -> str:
    """``name`` if it can name a model in a registry (checked before a model is trained for it);
    ``default`` is the built-in model's name everywhere a model is named, a name ending in
    ``.cnlp`` names a model file, and a name Windows cannot give a folder is none to share."""
    if name == "default":
        raise InvalidNameError("invalid model name 'default': it names the built-in model; choose another name",
                               "builtin", name=name, parameter="name")
    if isinstance(name, str) and name.endswith(MODEL_SUFFIXES):
        suffix = name[name.rindex('.'):]
        raise InvalidNameError(f"invalid model name {name!r}: a name ending in {suffix} is read as a model file; "
                               f"choose another name", "model_file", name=name, parameter="name", suffix=suffix)
    _check_name(name, "model name")
    if WINDOWS_UNSAFE.fullmatch(name):
        raise InvalidNameError(f"invalid model name {name!r}: Windows cannot hold it as a folder's name (a device's "
                               f"name, or one ending in '.'), and a registry is a folder to share; choose another name",
                               "windows", name=name, parameter="name")
    return name


def check_alias(alias: str) -> str:
    """``alias`` if it can be an alias: a model name that is not a version number."""
    _check_name(alias, "alias")
    if alias.isdecimal():
        raise InvalidNameError(f"invalid alias {alias!r}: an alias made of digits would read as a version", "digits",
                               name=alias, parameter="alias")
    return alias


def split_ref(ref: str) -> tuple[str, str]:
    """A model reference ("name", "name@3", "name@production") as its name and what follows the @ ("" for
    none); a full-width ＠, as a Chinese input method types it, is read as @."""
    name, _, which = str(ref).replace("＠", "@").partition("@")
    return name, which


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _sweep_leftovers(folder: Path) -> None:
    """Remove what saves and deletions killed midway left in a model's folder (a hidden copy of a
    model each), once old enough (STALE_SECONDS) that no process at work can own it."""
    cutoff = time.time() - STALE_SECONDS
    for leftover in [*folder.glob(".saving.*"), *folder.glob(".deleting-*")]:
        try:
            if leftover.stat().st_mtime < cutoff:
                shutil.rmtree(leftover, ignore_errors=True)
        except FileNotFoundError:  # another save swept it first
            pass


def _checked_tags(tags) -> dict:
    """``tags`` as the JSON object a version's metadata stores (numpy numbers as plain ones), or a
    TypeError naming the first value JSON cannot hold: checked before a version number is claimed."""
    tags = jsonable(tags or {})
    if not isinstance(tags, dict):
        raise TypeError(f"tags=… must be a dict, not {type(tags).__name__}")
    for key, value in tags.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise TypeError(f"tags=…: the value of {key!r} is a {type(value).__name__}, which a registry's JSON "
                            f"cannot hold; give text, numbers, true/false, lists or dicts of them") from None
    return tags


def _read_json(path: Path) -> dict:
    """A registry file's data (every one holds a JSON object); a file cut short or damaged is named,
    not parsed into a bare JSON error."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__} where an object belongs")
        return data
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # json.JSONDecodeError is a ValueError
        raise IntegrityError(f"{path} is damaged ({error}); restore it from a backup, or delete the version "
                             f"folder or the aliases file it belongs to") from None




# A version's fields a front end reads, with the types they are saved as (a field missing is one an early release did
# not write): anything else was edited by hand, and is named rather than passed on to fail where it is shown.
_METADATA_TYPES = {"description": (str, type(None)), "created_at": (str,), "tags": (dict,),
                   "cv_metrics": (dict, type(None)), "artifact": (dict,)}
_FIGURES = ("macro_f1", "accuracy")  # in cv_metrics: numbers


def _read_metadata(path: Path) -> dict:
    """A version's metadata (see :func:`_read_json`), its fields of the types they are saved as."""
    metadata = _read_json(path)
    wrong = [f"{key} is a JSON {type(metadata[key]).__name__}" for key, kinds in _METADATA_TYPES.items()
             if key in metadata and not isinstance(metadata[key], kinds)]
    figures = metadata.get("cv_metrics") if isinstance(metadata.get("cv_metrics"), dict) else {}
    wrong += [f"cv_metrics.{key} is not a number" for key in _FIGURES
              if figures.get(key) is not None and not is_number(figures[key])]
    if wrong:
        raise IntegrityError(f"{path} is damaged ({'; '.join(wrong)}: edited by hand?); restore it from a backup, or "
                             f"delete the version folder it belongs to")
    return metadata


def _artifact_record(path: Path) -> dict:
    return {"file": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size}


def default_root() -> Path:
    """``$CONSUMER_NLP_HOME``, else the per-user data folder."""
    if os.environ.get("CONSUMER_NLP_HOME"):
        return Path(os.environ["CONSUMER_NLP_HOME"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("consumer_nlp", appauthor=False)) / "models"


def _library_versions(model: ComplaintClassifier) -> dict:
    return {"consumer_nlp": __version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "tokenizer_backend": model.tokenizer_.backend}


class ModelRegistry:
    """Versioned models on disk, so that a desk can say which model tagged what, move ``production`` to a better one
    and back. ``root``: the argument, else ``$CONSUMER_NLP_HOME``, else a per-user folder.

        >>> import consumer_nlp as cn
        >>> registry = cn.ModelRegistry("registry")
        >>> version = registry.save(cn.load(), "complaints", description="the built-in model")
        >>> registry.set_alias("complaints", version, "production")
        >>> registry.resolve("complaints@production")
        ('complaints', 1)
        >>> cn.load("complaints@production", registry="registry").predict(["外卖里吃出头发"])
        array(['safety'], dtype=object)
    """

    def __init__(self, root: PathLike | None = None):
        self.root = Path(root) if root is not None else default_root()
        # where the folder was named, for a message about it
        self._named_by = "registry=…" if root is not None or not os.environ.get("CONSUMER_NLP_HOME") \
            else "$CONSUMER_NLP_HOME"

    def check_folder(self, name: str | None = None) -> None:
        """Refuse a registry folder that is a file, or lies under one, before any work is done for it;
        with ``name``, also a file where that model's folder goes."""
        blocking = next((p for p in (self.root, *self.root.parents) if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            where = "" if blocking == self.root else f" ({blocking} is a file)"
            raise ValueError(f"the registry folder {self.root} is a file{where}; give a folder ({self._named_by})")
        if name is not None and (self.root / name).exists() and not (self.root / name).is_dir():
            raise ValueError(f"{self.root / name} is a file, where the folder of the model {name!r} goes; move it "
                             f"away, or choose another name")
        if name is not None:
            self._check_writable(self.root / name)

    def _check_writable(self, folder: Path) -> None:
        """Refuse, before any work, a ``folder`` (or, while it is not made, the folder it goes in) that this
        user has no right to write in: a version, its claim and its aliases are written there."""
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(f"no right to write in {existing}, where the model goes; ask whoever keeps the "
                                  f"registry for that right, or give another registry folder ({self._named_by})")

    # ---- references: "name", "name@3", "name@production" ----

    def resolve(self, ref: str) -> tuple:
        """(name, version) of a reference (see :func:`split_ref`); the latest version when none is given."""
        name, which = split_ref(ref)
        _check_name(name, "model name", lookup=True)
        self.check_folder()
        if not (self.root / name).is_dir():
            raise ModelNotFoundError(f"no model named {name!r} in {self.root}")
        if not which:
            versions = self._version_numbers(name)
            if not versions:
                raise ModelNotFoundError(f"model {name!r} has no versions")
            return name, versions[-1]
        if which.isdecimal():
            version = int(which)
            if not self._is_version(name, version):
                raise ModelNotFoundError(f"model {name!r} has no version {version}; it has "
                                         f"{self._version_numbers(name, strict=False)}")
            return name, version
        aliases = self.aliases(name)
        if _check_name(which, "alias", lookup=True) not in aliases:
            raise ModelNotFoundError(f"model {name!r} has no alias {which!r}; its aliases are {sorted(aliases)}")
        if not self._is_version(name, aliases[which]):
            raise ModelNotFoundError(f"alias {name}@{which} points at version {aliases[which]}, which does not exist; its "
                                     f"versions are {self._version_numbers(name, strict=False)}")
        return name, aliases[which]

    def _damaged(self, folder: Path) -> IntegrityError:
        return IntegrityError(f"{folder} has no {METADATA} (moved or deleted by hand?): restore it from a backup, or "
                              f"delete the folder; until then it is not used, nor passed over")

    def _is_version(self, name: str, version: int) -> bool:
        """Whether ``version`` of ``name`` is stored; its folder without metadata is refused, named."""
        folder = self.root / name / str(version)
        if folder.is_dir() and not (folder / METADATA).is_file() and folder.is_dir():  # (not deleted meanwhile)
            raise self._damaged(folder)
        return folder.is_dir()

    def _version_numbers(self, name: str, strict: bool = True) -> list:
        """The stored versions of ``name``. A version folder without its metadata is refused, named
        (``strict``), never passed over: "the latest" would silently mean an older version."""
        folder = self.root / name
        if not folder.is_dir():
            return []
        numbered = [p for p in folder.iterdir() if p.name.isdecimal()]
        damaged = [p for p in numbered if not (p / METADATA).is_file()]
        if damaged and strict:
            raise self._damaged(damaged[0])
        return sorted(int(p.name) for p in numbered if p not in damaged)

    def aliases(self, name: str) -> dict:
        """``{alias: version}`` of ``name``; a file holding anything else is refused, not followed."""
        path = self.root / _check_name(name, "model name", lookup=True) / ALIASES
        aliases = _read_json(path) if path.is_file() else {}
        if not all(
                isinstance(a, str) and NAME_PATTERN.fullmatch(a) and type(v) is int for a, v in aliases.items()):
            raise IntegrityError(f"{path} is not a table of aliases and version numbers; it was not used")
        return aliases

    # ---- writing ----

    def save(self, model: ComplaintClassifier, name: str, *, description: str | None = None,
             tags: dict | None = None) -> int:
        """Store ``model`` as the next version of ``name``; returns the version number (1, 2, 3 …)."""
        check_model_name(name)
        check_savable(model)  # before a folder is made for it
        tags = _checked_tags(tags)
        if description is not None and not isinstance(description, str):
            raise TypeError(f"description=… must be text, not {type(description).__name__}")
        self.check_folder(name)
        folder = self.root / name
        (folder / ".claims").mkdir(parents=True, exist_ok=True)
        _sweep_leftovers(folder)
        staging = temporary_beside(folder / "saving", folder=True)
        version = None
        try:
            save_model(model, staging / ARTIFACT)
            metadata = {  # everything that could fail is done before a version number is claimed
                "name": name, "version": None, "description": description, "tags": tags,
                "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "library_versions": _library_versions(model),
                "training_data": without_text_hashes(getattr(model, "training_data_", None)),
                "params": saved_params(model),
                "classes": [str(c) for c in model.classes_],
                "review_threshold": model.review_threshold_,
                "cv_metrics": getattr(model, "cv_metrics_", None),
                "artifact": _artifact_record(staging / ARTIFACT),
            }
            json.dumps(metadata, ensure_ascii=False).encode("utf-8")  # as write_json will write it
            version = metadata["version"] = self._claim_version(folder, self._pointed_at(name))
            write_json(staging / METADATA, metadata)
            # the version appears whole, or not at all (also after a power cut: its files are on the disk first)
            move_into_place([(staging, folder / str(version), "version")], force=True)
        except BaseException:  # Ctrl-C as much as an error: nothing is left, and no number is skipped
            shutil.rmtree(staging, ignore_errors=True)
            if version is not None:
                self._release_claim(folder, version)
            raise
        return version

    def _pointed_at(self, name: str) -> list:
        """The versions aliases of ``name`` point at, also one deleted by hand: never a new version's number (an alias
        left on it would move onto a model nobody promoted). A damaged aliases file holds back no save."""
        try:
            return list(self.aliases(name).values())
        except IntegrityError:
            return []

    @staticmethod
    def _claim_version(folder: Path, pointed_at=()) -> int:
        """The next free version number after every one stored, claimed or ``pointed_at``, claimed with mkdir
        (atomic: only one process can win it)."""
        claims = folder / ".claims"
        taken = [*pointed_at, *(int(p.name) for p in claims.iterdir() if p.name.isdecimal())]
        taken += [int(p.name) for p in folder.iterdir() if p.name.isdecimal()]
        version = max(taken, default=0) + 1
        while True:
            try:
                (claims / str(version)).mkdir()
                return version
            except FileExistsError:
                version += 1

    @staticmethod
    def _release_claim(folder: Path, version: int) -> None:
        """Give back the number a save claimed and did not put a version in place under, so that the next save takes
        it. A version in place keeps its claim: a number once stored is never given to another model, also after
        it is deleted. Releasing cannot give the number to two savers: a saver that saw the claim counts past it,
        and the claim is removed only by its owner."""
        if not (folder / str(version)).exists():
            with contextlib.suppress(OSError):  # a claim that cannot be removed only skips a number
                (folder / ".claims" / str(version)).rmdir()

    def set_alias(self, name: str, version: int, alias: str) -> None:
        """Point ``alias`` (e.g. "production") at ``version`` of ``name``; the file is replaced atomically."""
        check_alias(alias)
        if not is_int(version):
            raise TypeError(f"version must be a whole number (1, 2, 3 …), not {type(version).__name__} {version!r}")
        name, version = self.resolve(f"{name}@{int(version)}")
        with held(self.root / name / ALIASES_LOCK):  # read, change, write: one writer at a time
            self.resolve(f"{name}@{version}")  # again under the lock delete() takes: it cannot go meanwhile
            aliases = self.aliases(name)
            aliases[alias] = version
            write_json(self.root / name / ALIASES, aliases)

    def delete_alias(self, name: str, alias: str) -> None:
        """Remove ``alias`` of ``name``; its version stays."""
        self.resolve(_check_name(name, "model name", lookup=True))  # an unknown model is told before the lock is made
        with held(self.root / name / ALIASES_LOCK):
            aliases = self.aliases(name)
            if aliases.pop(_check_name(alias, "alias", lookup=True), None) is None:
                raise ModelNotFoundError(f"model {name!r} has no alias {alias!r}")
            write_json(self.root / name / ALIASES, aliases)

    def delete(self, ref: str) -> tuple:
        """Delete the version ``ref`` names by its number (name@3: never the latest unsaid, for a deletion cannot
        be undone); refused while an alias points at it. Returns the (name, version) deleted."""
        name, which = split_ref(ref)
        if not which.isdecimal():
            latest = self.resolve(name)[1]
            raise InvalidNameError(f"give the version to delete by its number, as {name}@VERSION ({name}@{latest} is "
                                   f"the latest): a deletion cannot be undone", "no_version", name=name, latest=latest,
                                   parameter="ref")
        self.resolve(ref)  # an unknown model or version is told before the lock's file is made
        with held(self.root / name / ALIASES_LOCK):  # no alias may move onto it meanwhile
            name, version = self.resolve(ref)  # here: a deletion of it at the same time may have come first
            pointing = [alias for alias, v in self.aliases(name).items() if v == version]
            if pointing:
                raise InvalidNameError(f"{name}@{version} is in use by alias(es) {pointing}; point them at another "
                                       f"version (set_alias()) or delete them (delete_alias()) first", "in_use",
                                       name=name, version=version, aliases=pointing, parameter="ref")
            trash = self.root / name / f".deleting-{version}"
            os.rename(self.root / name / str(version), trash)  # disappears at once, then is removed
            os.utime(trash)  # fresh: a save sweeping old leftovers leaves it to this deletion
        shutil.rmtree(trash, ignore_errors=True)
        return name, version

    # ---- reading ----

    def _artifact(self, name: str, version: int, metadata: dict) -> Path:
        """The checked artifact of a version: the file its metadata names, matching its checksum."""
        folder = self.root / name / str(version)
        recorded = metadata.get("artifact") if isinstance(metadata.get("artifact"), dict) else {}
        if recorded.get("file") not in (ARTIFACT, LEGACY_ARTIFACT):  # never a path that leads elsewhere
            raise IntegrityError(f"{folder / METADATA} names the artifact {recorded.get('file')!r}, "
                                 f"not {ARTIFACT!r}; it was not loaded")
        artifact = folder / recorded["file"]
        if not artifact.is_file() or _sha256(artifact) != recorded.get("sha256"):
            raise IntegrityError(f"{name}@{version}: {artifact} does not match the checksum recorded when it "
                                 f"was saved (changed, truncated or missing); it was not loaded")
        return artifact

    def load(self, ref: str) -> ComplaintClassifier:
        """Load ``name``, ``name@3`` or ``name@alias``, checking the artifact's checksum first."""
        name, version = self.resolve(ref)
        try:
            metadata = _read_metadata(self.root / name / str(version) / METADATA)
            artifact = self._artifact(name, version, metadata)
            if artifact.name == LEGACY_ARTIFACT:
                raise IncompatibleModelError(f"{name}@{version} is stored in the format of an earlier release "
                                             f"(skops); convert the registry once with ModelRegistry.convert_legacy()")
            return load_model(artifact)
        except (FileNotFoundError, IntegrityError):
            if (self.root / name / str(version)).is_dir():
                raise
            raise ModelNotFoundError(f"{name}@{version} was deleted while it was being loaded; its versions now are "
                                     f"{self._version_numbers(name, strict=False)}") from None

    def convert_legacy(self) -> list[str]:
        """Convert every version stored as skops (consumer_nlp 0.1) to the model file, in place:
        the new artifact is written beside the old one, which is kept, and the metadata is
        replaced atomically. Returns the references converted."""
        converted = []
        for name in self.list()["name"]:
            for version in self._version_numbers(name, strict=False):
                folder = self.root / name / str(version)
                metadata = _read_metadata(folder / METADATA)
                if metadata.get("artifact", {}).get("file") != LEGACY_ARTIFACT:
                    continue
                artifact = self._artifact(name, version, metadata)
                (folder / ARTIFACT).unlink(missing_ok=True)  # a conversion cut short before
                convert_model(artifact, folder / ARTIFACT)
                metadata["converted_from"] = metadata["artifact"]
                metadata["artifact"] = _artifact_record(folder / ARTIFACT)
                write_json(folder / METADATA, metadata)
                converted.append(f"{name}@{version}")
        return converted

    def info(self, ref: str) -> dict:
        """The metadata stored with the version ``ref`` names, with its current aliases. Its name and version are
        where it is stored (a folder copied from elsewhere keeps its first place in ``saved_as``)."""
        name, version = self.resolve(ref)
        metadata = _read_metadata(self.root / name / str(version) / METADATA)
        recorded = (metadata.get("name"), metadata.get("version"))
        if recorded != (name, version):
            if None not in recorded:
                metadata["saved_as"] = "{}@{}".format(*recorded)
            metadata["name"], metadata["version"] = name, version
        metadata["aliases"] = sorted(a for a, v in self.aliases(name).items() if v == version)
        return metadata

    def versions(self, name: str) -> list:
        """Metadata of every stored version of ``name``, oldest first (a damaged one is left out here;
        :meth:`list` names it)."""
        found = []
        for version in self._version_numbers(_check_name(name, "model name", lookup=True), strict=False):
            try:
                found.append(self.info(f"{name}@{version}"))
            except IntegrityError:
                pass
        return found

    def list(self) -> pd.DataFrame:
        """One row per model name: latest version, number of versions, aliases, and what is damaged or
        not readable where something is (the other models are listed all the same)."""
        rows = []
        self.check_folder()
        if self.root.is_dir():
            for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and NAME_PATTERN.fullmatch(p.name)):
                try:
                    versions = self._version_numbers(folder.name)
                    for version in versions:  # each version's metadata readable (one damaged by hand is named here)
                        _read_metadata(folder / str(version) / METADATA)
                    aliases = ", ".join(f"{a}→{v}" for a, v in sorted(self.aliases(folder.name).items()))
                except IntegrityError as damaged:  # named in its row; the other models are still listed
                    rows.append({"name": folder.name, "latest": None, "versions": None, "aliases": "",
                                 "problem": str(damaged)})
                    continue
                except PermissionError as refused:  # a colleague's folder, saved under an umask of 077
                    rows.append({"name": folder.name, "latest": None, "versions": None, "aliases": "",
                                 "problem": f"no right to read {refused.filename}; ask whoever saved it for that "
                                            f"right"})
                    continue
                if versions:
                    rows.append({"name": folder.name, "latest": versions[-1], "versions": len(versions),
                                 "aliases": aliases, "problem": ""})
        return pd.DataFrame(rows, columns=["name", "latest", "versions", "aliases", "problem"]).astype(
            {"latest": "Int64", "versions": "Int64"})

    def compare(self, ref_a: str, ref_b: str, data) -> Comparison:
        """Two registered models on the same labeled ``data`` (see :func:`consumer_nlp.compare`), each named by its
        reference as given; a model registered as ``label``, ``text`` or ``where`` by its version (``label@1``), as
        the rows that differ have columns of those names."""
        names = [ref if ref not in DISAGREEMENT_COLUMNS else "{}@{}".format(*self.resolve(ref))
                 for ref in (ref_a, ref_b)]
        if names[0] == names[1]:  # keyed by name, the second would replace the first: a comparison of nothing
            raise ValueError(f"ref_a and ref_b are both {names[0]!r}: give another model to compare it with")
        return compare({name: self.load(ref) for name, ref in zip(names, (ref_a, ref_b))}, data)
