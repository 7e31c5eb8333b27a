"""The spool: a run's checkpoint beside its output (manifest, numbered parts, chunk records),
and the checks that keep a run from writing over its input or another file (two writers of one output are kept apart
by :class:`io.OutputLock`).
"""
import functools
import hashlib
import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path


from .._classifier import ComplaintClassifier
from ..exceptions import ArchiveError, CheckpointError
from ..io import CHUNKING, PARTS, archive_format, check_new_file, remove_aside, same_file, working_name, write_json



PART_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "parquet": ".parquet", "xlsx": ".xlsxrows"}


def fingerprint(path: Path) -> dict:
    """What identifies a file by its content (a folder moved elsewhere is the same run): the input of a run
    (resuming on a changed file, or reading one that changes, would mix two inputs), and each part as its
    chunk wrote it (a part lost, cut short or replaced since is no finished chunk). SHA-256 reads about 1 GB/s:
    0.06 s for the parts of 200,000 rows."""
    with open(path, "rb") as f:
        return {"size": os.fstat(f.fileno()).st_size, "sha256": hashlib.file_digest(f, "sha256").hexdigest()}


def _model_id(model: ComplaintClassifier) -> str:
    import joblib

    return joblib.hash(model)


@functools.cache
def _code_digest() -> str:
    """A digest of this package's modules and word lists, read once a process: the code a process runs is the code
    it imported, whatever is on the disk later."""
    package = Path(__file__).resolve().parents[1]
    code = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.glob("resources/*.txt")]):
        code.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return code.hexdigest()


def software() -> dict:
    """What tags and writes a chunk beside the model: this package's code (:func:`_code_digest`, so that any change
    counts, within a release too), Python and the versions of the libraries it requires. A resume after an upgrade
    would otherwise join chunks that two versions tagged."""
    try:
        required = [re.match(r"[A-Za-z0-9._-]+", r)[0] for r in metadata.requires("consumer_nlp") or []
                    if "extra ==" not in r]
    except metadata.PackageNotFoundError:  # run from a source folder, not installed
        required = []
    libraries = {}
    for name in required:
        try:
            libraries[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            libraries[name] = None
    return {"code": _code_digest(), "python": sys.version.split()[0], "libraries": libraries}


RUN_IDENTITY = ("input", "read_as", "model", "software")  # what a manifest holds beside the settings a caller gives


def run_manifest(input_path: Path, model: ComplaintClassifier, **settings) -> dict:
    """What a run is: its input (by content, and the format its extension has it read in: a CSV renamed .txt is read
    as TSV), its model, its settings and the software that tags it. Resuming is allowed only into the spool of the
    same run."""
    return {"input": fingerprint(input_path), "read_as": archive_format(input_path), **settings,
            "model": _model_id(model), "software": software(), "chunking": CHUNKING, "parts": PARTS}


def part_path(spool: Path, index: int, kind: str) -> Path:
    """Where chunk ``index`` is written; its record is the same name ending in .json."""
    return Path(spool) / f"{index:07d}{PART_SUFFIX[kind]}"


def _record_paths(spool: Path) -> list:
    """The record files of the finished chunks, in order (a record is written only after its part,
    and named by its index)."""
    return sorted((p for p in spool.glob("*.json") if p.stem.isdecimal()), key=lambda p: int(p.stem))


def iter_records(spool: Path):
    """The records of the finished chunks, in order, one at a time."""
    for path in _record_paths(spool):
        yield json.loads(path.read_text("utf-8"))


def check_parts(spool: Path, finished: set, kind: str) -> set:
    """The ``finished`` chunks whose part is still as its record saw it written; the others' records and parts
    are removed, so that they are tagged again: a part a power cut or a hand lost, cut short or replaced since
    is never taken as done. Records written before 2026-12-06 hold no fingerprint: their chunks are tagged again."""
    sound = set()
    for index in finished:
        part = part_path(spool, index, kind)
        if _as_written(part):
            sound.add(index)
        else:
            part.with_suffix(".json").unlink(missing_ok=True)  # the record first: a record means a whole part
            part.unlink(missing_ok=True)
    return sound


def _as_written(part: Path) -> bool:
    """Whether ``part`` is whole, as its record's fingerprint of it says."""
    try:
        record = json.loads(part.with_suffix(".json").read_text("utf-8"))
        return isinstance(record, dict) and "part" in record and fingerprint(part) == record["part"]
    except (OSError, ValueError):  # the part gone, or its record damaged
        return False


def has_records(spool: Path) -> bool:
    """Whether any chunk was finished (without reading the records, which hold the bad rows)."""
    return bool(_record_paths(spool))


def default_output(input_path) -> Path:
    """``x.csv`` → ``x.tagged.csv`` beside it (an ``x.xls`` or ``x.xlsm``, which are read but not written:
    ``x.tagged.xlsx``)."""
    path = Path(input_path)
    suffix = ".xlsx" if path.suffix.lower() in (".xls", ".xlsm") else path.suffix
    return path.with_name(f"{path.stem}.tagged{suffix}")


def check_paths(input_path: Path, output: Path, bad_rows: Path | None, *, force: bool) -> None:
    """Everything about where a run reads and writes that can be checked before it starts."""
    if input_path.is_dir():
        raise ArchiveError(f"{input_path} is a folder; give the archive file to tag", "folder", parameter="input_path")
    if not input_path.is_file():
        raise FileNotFoundError(f"no such file: {input_path}")
    targets = [("output", output)] + ([("bad-rows file", bad_rows)] if bad_rows is not None else [])
    for (what, path), parameter in zip(targets, ("output_path", "bad_rows_path")):
        if path.is_dir():
            example = path / (default_output(input_path).name if parameter == "output_path" else "bad.csv")
            raise ArchiveError(f"the {what} {path} is a folder; give a file name, e.g. {example}", "folder",
                               parameter=parameter, example=str(example))
    if bad_rows is not None and bad_rows.suffix.lower() not in (".csv", ".xlsx"):
        raise ArchiveError(f"the bad-rows file {bad_rows} is written as CSV or, for Excel, as .xlsx (each row's place, "
                           f"why and raw text); give bad_rows_path=… a .csv or .xlsx name", "output_name",
                           endings=[".csv", ".xlsx"], suffix=bad_rows.suffix.lower(), parameter="bad_rows_path")
    if bad_rows is not None and same_file(bad_rows, output):
        raise ArchiveError(f"the bad-rows file and the output are the same file ({output}); give bad_rows_path=… "
                           f"another name", "same_output", parameters=["bad_rows_path", "output_path"])
    for what, path in targets:
        check_new_file(path, force=force, inputs=[input_path], what=what)


def remove_spool(spool: Path) -> None:
    """Delete a spool, first moved aside whole: a run killed while its files go leaves no spool with
    records whose parts are gone (a record means a whole part), only a hidden folder on its way out."""
    remove_aside(spool)


def _check_same_run(spool: Path, manifest_path: Path, manifest: dict, finished: int) -> None:
    """Refuse to go on from the checkpoint in ``spool`` unless it is this run's (``manifest``): missing, damaged, an
    earlier release's, or of another input, model or settings (CheckpointError "cannot_resume")."""
    if not manifest_path.exists():
        raise CheckpointError(f"cannot resume: {manifest_path} is missing, so the {finished} finished chunk(s) "
                              f"in {spool} cannot be told to be this run's; run with restart=True to start over")
    try:
        saved = json.loads(manifest_path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError(f"cannot resume: {manifest_path} is damaged (a full disk, or a run killed as it "
                              f"began); run with restart=True to start over") from None
    # Releases before 2026-12-04 named the input by its path, and their model ids differ from today's;
    # releases before 2026-12-05 cut files into chunks another way, or wrote values into parts another way;
    # releases before 2026-12-06 (late) did not say which code and libraries tagged the chunks, nor in which
    # format the input was read.
    if ("path" in saved.get("input", {}) or saved.get("chunking") != CHUNKING or saved.get("parts") != PARTS
            or "software" not in saved or "read_as" not in saved):
        raise CheckpointError(f"cannot resume: the checkpoint in {spool} was made by an earlier release of "
                              f"consumer_nlp; run with restart=True to start over")
    if saved != manifest:
        changed = [key for key in manifest if saved.get(key) != manifest[key]]
        earlier = {key: saved.get(key) for key in changed if key not in RUN_IDENTITY}  # settings, as given then
        was = "; ".join(f"{key}={value} then" if value is not None else f"no {key} then"
                        for key, value in earlier.items())
        only_settings = len(earlier) == len(changed)  # given as then, they go on
        raise CheckpointError(f"cannot resume: the checkpoint in {spool} is of a different run "
                              f"(changed: {', '.join(changed)}{'; ' + was if was else ''}); run with restart=True "
                              f"to start over{', or with the same settings as then' if only_settings else ''}",
                              changed=changed, earlier=earlier)


def finished_so_far(output) -> tuple[int, float | None]:
    """The progress of a run writing ``output``, as its checkpoint holds it: the rows of the chunks it has finished (0
    before the first chunk, and once the run has ended and its spool is gone), and the share of its input read by the
    end of the last of those from the first on without a gap (None where not known: a record of an earlier release,
    a workbook's rows beyond those its sheet declares). Never above 1, and it grows as the chunks do."""
    rows, share, unbroken = 0, None, 0
    try:
        for record in iter_records(working_name(Path(output), "parts")):
            rows += int(record["rows"])
            if int(record["index"]) == unbroken:  # with several workers a later chunk may finish first
                unbroken += 1
                position, total = record.get("read") or (None, None)
                share = position / total if total and position is not None and 0 <= position <= total else None
    except (OSError, ValueError, KeyError, TypeError):  # the spool removed or a record replaced as it was read
        return 0, None
    return rows, share


def checkpoint_begun(output) -> bool:
    """Whether a run writing ``output`` has begun its checkpoint: its model is loaded and its input is being read (also
    an interrupted run's, kept for a resume); gone once the run has ended."""
    return working_name(Path(output), "parts").is_dir()


def prepare_spool(spool: Path, manifest: dict, resume: bool, restart: bool) -> set:
    """Make the spool folder ready; on resume, the chunk numbers already done. Finished chunks of
    an earlier run are never thrown away unasked: found with neither flag, a resume is offered only where it could
    go on from them (else what a resume would be told: another input, model or release)."""
    manifest_path = spool / "manifest.json"
    # a chunk's record is written (atomically) only after its part: a record means a whole part
    finished = {int(p.stem) for p in _record_paths(spool)} if spool.is_dir() else set()
    if not restart and (finished or (resume and manifest_path.exists())):
        _check_same_run(spool, manifest_path, manifest, len(finished))
        if not resume:
            raise CheckpointError(f"{spool} holds {len(finished)} finished chunk(s) of an earlier run on this output "
                                  f"that did not finish; run the same command with resume=True to go on, or with "
                                  f"restart=True to start over", "unfinished", chunks=len(finished))
        return finished
    remove_spool(spool)
    spool.mkdir(parents=True)
    write_json(manifest_path, manifest)
    return set()
