"""Every error consumer_nlp raises on purpose, in one place: catch these, not their messages."""


class ModelNotFoundError(KeyError):
    """No model answers to a registry reference (name, version or alias); ``details["data_file"]``, where the
    reference is a data file of this folder (the data given where the model goes)."""

    def __init__(self, message: str = "", **details):
        super().__init__(message)
        self.details = details

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self),), {"details": self.details}

    def __str__(self) -> str:  # the message itself, not KeyError's quoted repr of it
        return str(self.args[0]) if self.args else ""


class UntrustedModelError(ValueError):
    """A model file is damaged, or holds something a fitted model never contains; it was not loaded."""


class InvalidNameError(ValueError):
    """A name the registry refuses for a model or an alias: ``details["name"]`` as given, ``details["parameter"]``
    the parameter that took it ("name" or "alias"), and ``problem``, why (one of ``PROBLEMS``): ``"characters"``
    (other characters than a-z, 0-9, Chinese, '_', '.', '-', or too long), ``"builtin"`` (default, the built-in
    model's), ``"model_file"`` (an ending a model file has; ``details["suffix"]``), ``"windows"`` (a name Windows
    gives no folder) or ``"digits"`` (an alias of digits, read as a version). ``details["lookup"]`` is True where the
    name was looked up (a reference to load, show or delete), not given to save under: no model has it. Or a reference
    to delete (``details["parameter"]`` "ref") the registry refuses: ``"no_version"`` (the model ``details["name"]``
    without a version; ``details["latest"]``, its latest) or ``"in_use"`` (``details["name"]``'s
    ``details["version"]``, which the ``details["aliases"]`` point at)."""

    PROBLEMS = ("characters", "builtin", "model_file", "windows", "digits", "no_version", "in_use")

    def __init__(self, message: str, problem: str, **details):
        super().__init__(message)
        self.problem, self.details = problem, details

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self), self.problem), {"details": self.details}


class IncompatibleModelError(ValueError):
    """A model file is of another format version (a newer release, or the skops files of 0.1). Or (``problem``
    "current") a model file of this release was given to convert: it needs no conversion."""

    def __init__(self, message: str = "", problem: str | None = None):
        super().__init__(message)
        self.problem = problem

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self), self.problem)


class IntegrityError(ValueError):
    """A stored artifact or registry file does not match what was recorded when it was written."""


class CheckpointError(ValueError):
    """The finished chunks an interrupted tagging run left cannot be gone on from with ``resume=True``: another
    run's (its input, the format it is read in, model or settings differ: ``details["changed"]`` names them,
    ``details["earlier"]`` holds the settings as that run had them, given again they go on), an earlier release's, or
    damaged (``problem`` "cannot_resume"). ``restart=True`` starts over. Or (``problem`` "unfinished") they were
    found with neither: ``details["chunks"]``, how many; ``resume=True`` goes on from them. Or (``problem``
    "resume_and_restart") both were asked for."""

    PROBLEMS = ("cannot_resume", "unfinished", "resume_and_restart")

    def __init__(self, message: str, problem: str = "cannot_resume", **details):
        super().__init__(message)
        self.problem, self.details = problem, details

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self), self.problem), {"details": self.details}


class LabeledDataError(ValueError):
    """Labeled data with bad rows; ``problems`` lists every one as (where, what), the message the first
    ``SHOWN`` (a wrong label column makes every row one: 94,200 rows printed 24 MB); ``faults``, beside them, each
    one's (kind, particulars) for a program that tells it in its own words (None where it has no kind):
    ``"text_missing"``, ``"text_empty"``, ``"text_excel_error"`` (``error``, a workbook's error cell such as #N/A),
    ``"text_unreadable"``, ``"label_empty"``, ``"unknown_label"`` (``label``,
    ``near``), ``"names_row"`` (the row holds its columns' names, ``text`` and ``label``: a second file's header),
    ``"unparseable_row"`` (``fault``, a BadRow's ``kind``, its ``details`` and the file's ``format``).
    ``problem`` names a fault of the whole data (one of ``PROBLEMS``), for such a program:
    ``"categories_as_texts"`` (the texts are mostly category names) or ``"few_texts"`` (a column of a few values, a
    channel, or rows pasted several times: ``details["rows"]`` holding ``details["different"]`` texts), each with
    ``details["column"]``, the text column (None for pairs); ``"mostly_unlabeled"`` (training data
    with fewer than half its rows labeled: ``details["labeled"]``, ``details["unlabeled"]``, the rows with
    and without a label, and ``details["column"]``, the label column, None for pairs; ``details["marks"]``, {mark:
    rows}, where some were marked as not labeled yet, 待定 or /); ``"few_examples"`` (too few
    for ``cv`` folds, or for the fit alone where ``cv`` is 0: ``details["cv"]``, ``details["needed"]``, the examples
    each label needs, ``details["short"]``, {label: examples} of those with fewer, ``details["texts"]``, all there
    are; ``details["copies"]`` where copies of a text count once, ``details["every_label"]`` where every label has
    fewer than ``cv`` texts, ``needed`` then; where some labels are short of ``needed``, ``details["folds"]``, the
    fewest more folds that would do, and ``details["fits"]``, True where ``cv`` 0 would train); ``"one_group"``
    (``details["column"]``, the group column, holds one value, ``details["values"]``); ``"few_to_calibrate"`` (holding
    out the groups ``details["held"]`` of ``details["column"]`` leaves ``details["left"]`` texts, too few to calibrate
    on); ``"groups_split_labels"`` (the groups of ``details["column"]`` split the labels between them); ``"header"``
    (the columns named or found are wrong: ``details["columns"]``, those there are, and each of these where it is so:
    ``"missing"``, {parameter: column} of the columns named that are none, ``"no_label_column"`` (True: none is
    named as a label column is), ``"not_labels"``, the column taken for the labels by its name that holds other
    values (``"empty"``, True: none), ``"holding"``, a column that holds labels, ``"names_row"``, a row below that
    reads as column names (its header_row and the name in it), ``"same"``, the one column named for the texts and
    the labels,
    ``"groups_are_texts"``, the parameter (``group_col``, ``by``) that names the ``"text"`` column for groups,
    ``"groups_are_labels"``, the parameter that names the ``"label"`` column for groups);
    ``"calibration_trained"`` (calibration data holding ``details["texts"]`` texts of the training data, such as
    ``details["example"]``); ``"calibration_labels"`` (calibration data labeled with categories the training data has
    no example of: ``details["labels"]``, {label: rows}); ``"no_labeled_rows"`` (no row has a label:
    ``details["use"]``, "training" or "evaluation", ``details["unlabeled"]``, the rows without one,
    ``details["column"]``, the label column, None for pairs, and ``details["marks"]`` as for ``"mostly_unlabeled"``);
    ``"one_label"`` (training data whose ``details["rows"]`` labeled rows all have one label, ``details["label"]``;
    ``details["column"]``, the label column, None for pairs); ``"numbered_labels"`` (the labels are numbers, a code
    of the categories, in ``details["rows"]`` of the ``details["labeled"]`` labeled rows: ``details["column"]``, the
    label column, None for pairs, ``details["different"]``, how many different numbers, ``details["numbers"]``, the
    first ten, ``details["first_rows"]``, the first five rows of them where other rows hold names, and where a column
    holds the labels, ``details["holding"]``); None for bad rows. An error met reading training's calibration data
    (its rows, its columns, or too few of its rows labeled) holds ``details["archive"] = "calibration_data"``."""

    SHOWN = 100
    PROBLEMS = ("categories_as_texts", "few_texts", "mostly_unlabeled", "few_examples", "one_group", "few_to_calibrate",
                "groups_split_labels", "header", "calibration_trained", "no_labeled_rows", "one_label",
                "numbered_labels", "calibration_labels")

    def __init__(self, source: str, problems: list[tuple[str, str]], problem: str | None = None, *,
                 faults: list | None = None, **details):
        self.source, self.problems, self.problem, self.details = source, problems, problem, details
        self.faults = faults if faults is not None else [None] * len(problems)
        lines = "\n".join(f"  {where}: {what}" for where, what in problems[:self.SHOWN])
        more = f"\n  … and {len(problems) - self.SHOWN} more" if len(problems) > self.SHOWN else ""
        super().__init__(f"{source}: {len(problems)} problem(s), so it was not used:\n{lines}{more}")

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (self.source, self.problems, self.problem), {"details": self.details,
                                                                         "faults": self.faults}


class ReviewWorkbookError(ValueError):
    """A filled review workbook with rows that cannot be stored, so none was. ``problems`` lists each kind found (one
    of ``PROBLEMS``) with its details, ``details["rows"]`` the sheet's rows as Excel shows them, for a program that
    tells them in its own words (the message is the library's English): ``"not_a_category"`` (更正为 holds no
    category; each row a (row, value) pair), ``"no_text"`` (a correction whose 投诉内容 is empty), ``"sorted_apart"``
    (cells sorted apart from the hidden exact text, so the text is not known), ``"guess_changed"`` (模型判断 or 置信度
    not as exported: typed over, or sorted apart), ``"hidden_changed"`` (the hidden exact text changed),
    ``"export_time_changed"`` (the 说明 sheet's 导出时间 changed; its row a (row, value) pair) or
    ``"row_export_time_changed"`` (a row's hidden 导出时间（勿改） emptied or changed: which export it came from is not
    known)."""

    PROBLEMS = ("not_a_category", "no_text", "sorted_apart", "guess_changed", "hidden_changed", "export_time_changed",
                "row_export_time_changed")

    def __init__(self, message: str, problems: list[tuple[str, dict]]):
        super().__init__(message)
        self.problems = problems

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self), self.problems)


class ArchiveError(ValueError):
    """An archive that cannot be read as it is, or a result its format cannot hold. ``problem`` says
    which (one of ``PROBLEMS``), for a program that tells it in its own words (the web application, in Chinese):
    ``"encoding"`` (``details["line"]``, where one is known; ``details["encoding"]``, the codec read with;
    ``details["given"]``, the encoding as the caller named it, where one was; ``details["detected"]``, the one
    detection reads the file in, where that is another), ``"unknown_encoding"`` (an encoding no codec is named by,
    ``details["given"]``), ``"unparseable_row"`` (``details["where"]``, its place, "row 12 (line 15)";
    ``details["row"]``, the row as Excel shows it; ``details["line"]``, the file's line; ``details["fault"]``, the
    row's fault as a :class:`~consumer_nlp.io.BadRow`'s ``kind``, with its particulars beside it;
    ``details["none_readable"]``, True where no row of the file could be read, so setting bad rows aside does not help),
    ``"duplicate_columns"`` and ``"unnamed_columns"`` (``details["columns"]``: names, or numbers or sheet letters as
    text),
    ``"several_sheets"`` (``details["sheets"]``), ``"misnamed"`` (``details["rename"]``: the extension
    the content has), ``"json_document"`` (a JSON array or multi-line object named .jsonl),
    ``"password"``, ``"uncalculated_formula"`` (``details["cell"]``), ``"giant_cell"`` (a workbook
    holding text far longer than a cell can; ``details["part"]``), ``"giant_row"`` (a sheet row far longer
    than an archive's; ``details["part"]``, ``details["megabytes"]``), ``"overpacked"`` (a workbook part packed far
    tighter than Excel packs, a zip bomb; ``details["part"]``, ``details["megabytes"]``, ``details["ratio"]``),
    ``"needs_memory"`` (a file that needs more memory to read than a server allows its check of an upload:
    ``details["megabytes"]``, that allowance, where there is one), ``"needs_time"`` (a file that takes longer to
    read than a server allows its check of an upload: ``details["seconds"]``, that allowance of processor time),
    ``"too_many_keys"`` (JSON Lines
    records bringing more keys than a sheet has columns; ``details["line"]``), ``"already_tagged"``,
    ``"not_tagged"`` (a tagged archive expected; ``details["columns"]``, the tag columns missing;
    ``details["kept"]``, those there),
    ``"no_column"`` (a column named that the archive does not hold: ``details["wanted"]``, the name given;
    ``details["columns"]``), ``"no_text_column"`` (``details["columns"]``; ``details["wanted"]``, the name given, or
    ``details["names_row"]``, a row below that reads as column names: its header_row and the name in it),
    ``"beyond_excel"``, ``"busy"`` (another run is writing the output), ``"folder"`` (a folder where a file is
    wanted: ``details["parameter"]``, where known, the parameter naming it, "input_path" for a folder to tag,
    "data" for one of labeled data; for an output, ``details["example"]``, a file name in it),
    ``"previous_is_itself"`` (a report's earlier period given as the archive itself), ``"output_is_input"``,
    ``"no_folder"`` (the output's folder does not exist; ``details["file"]``, the name of the file it is below, where a
    file stands where a folder of its path should), ``"output_name"`` (an output named for another format, or
    for one read but not written: ``details["endings"]``, those it may have; where known, ``details["suffix"]``, the
    one given, "" for none, and ``details["parameter"]``, the parameter that named it), ``"same_output"`` (two
    outputs of a run named as one file: ``details["parameters"]``, the parameters naming it, the one to change first),
    ``"empty"`` (nothing at or after the row of column names: ``details["rows"]``, the rows there are,
    ``details["header_row"]``; a workbook's has ``details["sheet"]``, the sheet read, and where it is empty
    ``details["others"]``, the visible sheets holding data; a JSON Lines file with no key to read has
    ``details["format"] = "jsonl"``, ``details["records"]``, its records that are all {}, and ``details["blank"]``,
    its lines),
    ``"no_sheet"`` (``details["sheet"]``, as given; ``details["sheets"]``, the visible ones), ``"no_data"`` (no
    visible sheet holds data: ``details["sheets"]``), ``"chart_sheet"`` (the sheet chosen is a chart:
    ``details["sheet"]``, ``details["sheets"]``, the tables), ``"not_a_workbook"`` (a file named as a workbook that
    is none: ``details["format"]``), ``"not_parquet"`` (a file named .parquet that is no whole Parquet file, cut
    short or another kind: ``details["empty"]``, True for an empty one),
    ``"unknown_format"`` (``details["suffix"]``, ``details["formats"]``, the endings read; ``details["model"]``, True
    for a model file's ending) or ``"not_review_workbook"`` (a file to import that
    ``export_review`` did not write: ``details["format"]``, the file's ending, where it is no .xlsx
    workbook that can be read; ``details["sheets"]`` where it has no sheet 复核, ``details["columns"]``
    where that sheet's columns are others) or ``"other_model"`` (a tagged archive whose confidences are not those of
    the model given, so another model tagged it: ``details["row"]``, the first row that differs, ``details["written"]``
    and ``details["computed"]``, its confidence in the file and from the model, ``details["differ"]`` of
    ``details["rows"]`` rows to review differ) or ``"tag_values"`` (a tag column holding what tagging never writes,
    edited by hand: ``details["column"]``; ``details["rows"]``, the first five (row, value), each row as Excel shows
    it; ``details["added"]``, True where the rows hold no tag at all, added after tagging) or ``"no_rows"`` (a
    tagged archive with no row to report on: its column names alone,
    or with ``details["blank"]`` blank rows and ``details["names"]`` rows repeating the column names, left out)
    or ``"text_bytes"`` (a text column holding bytes that are not UTF-8, a Parquet binary column:
    ``details["column"]``; ``details["rows"]``, the first five (row, value); ``details["index"]``, True where each
    row is its frame's index label, not its row as Excel shows it) or ``"not_for_format"`` (``details["parameter"]``,
    sheet or header_row, given for a file of a ``details["format"]`` that has no sheets, or no header row to choose)
    or ``"blank_header_row"`` (the header_row is a blank row: ``details["header_row"]``; ``details["filled"]``,
    the first rows from the top that hold something; ``details["names_row"]``, where one reads as column names holding
    a text column's name, its row and that name; ``details["sheet"]``, a workbook's sheet).
    An error met reading a report's earlier period (``previous``) holds ``details["archive"] = "previous"``; one met
    reading training's calibration data (``calibration_data``) ``details["archive"] = "calibration_data"``, as a
    :class:`LabeledDataError` met checking it does."""

    PROBLEMS = ("encoding", "unparseable_row", "duplicate_columns", "unnamed_columns", "several_sheets", "misnamed",
                "json_document", "password", "uncalculated_formula", "giant_cell", "giant_row", "overpacked",
                "needs_memory", "needs_time", "too_many_keys", "already_tagged", "not_tagged", "no_column",
                "no_text_column", "beyond_excel", "busy", "previous_is_itself", "output_is_input", "no_folder",
                "output_name", "same_output", "empty", "no_sheet", "no_data", "chart_sheet", "not_a_workbook",
                "unknown_format", "not_review_workbook", "other_model", "folder", "tag_values", "no_rows",
                "text_bytes", "not_parquet", "not_for_format", "blank_header_row", "unknown_encoding")

    def __init__(self, message: str, problem: str, **details):
        super().__init__(message)
        self.problem, self.details = problem, details

    def __reduce__(self):  # rebuilt from its fields in another process, not from the message alone
        return type(self), (str(self), self.problem), {"details": self.details}
