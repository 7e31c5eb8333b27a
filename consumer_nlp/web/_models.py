"""The models behind the pages: which one is in production, retraining on the reviewers'
corrections (a share held back), comparing on what was held back, and promoting."""
import json
import threading
from pathlib import Path

import pandas as pd

from ..io import write_json
from ..models import ModelRegistry, load
from ..review import CorrectionStore

MODEL_NAME = "complaints"
PRODUCTION = "production"
HOLD_BACK_EVERY = 5  # every 5th correction is kept out of training, to compare models on
_RETRAINING = "retraining.json"  # the latest retraining, until it finishes


class Models:
    """The registry at ``root`` as the pages see it; held-back corrections are kept in ``scratch``."""

    def __init__(self, root, scratch):
        self.registry = ModelRegistry(root)
        self.store = CorrectionStore.of_registry(self.registry.root)
        self.scratch = Path(scratch)
        self._cache: dict = {}
        self._lock = threading.Lock()

    def production_ref(self) -> str:
        """``complaints@production`` when that alias exists, else ``default`` (the built-in model)."""
        return f"{MODEL_NAME}@{PRODUCTION}" if PRODUCTION in self.registry.aliases(MODEL_NAME) else "default"

    def get(self, ref: str):
        """The model ``ref`` (``default``, ``name@version``, ``name@alias``), loaded once."""
        if ref != "default":
            ref = "{}@{}".format(*self.registry.resolve(ref))
        with self._lock:
            if ref not in self._cache:
                self._cache[ref] = load() if ref == "default" else self.registry.load(ref)
            return ref, self._cache[ref]

    def production(self):
        """(reference with its version, model) of the model in production."""
        return self.get(self.production_ref())

    def damaged(self) -> bool:
        """Whether something in the registry's folder of the model is damaged (`models list` says what)."""
        listed = self.registry.list()
        return any(n == MODEL_NAME and p for n, p in zip(listed["name"], listed["problem"]))

    def versions(self) -> list[dict]:
        """Every version of the model, newest first, with its cross-validated figures and aliases."""
        if not (self.registry.root / MODEL_NAME).is_dir():
            return []
        rows = []
        for info in reversed(self.registry.versions(MODEL_NAME)):
            metrics = info.get("cv_metrics") or {}
            rows.append({"version": info["version"], "created_at": info.get("created_at", ""),
                         "description": info.get("description") or "", "aliases": info.get("aliases", []),
                         "macro_f1": metrics.get("macro_f1"), "accuracy": metrics.get("accuracy"),
                         "held_back": len(self.held_back(info["version"]))})
        return rows

    def _held_back_path(self, version: int) -> Path:
        return self.scratch / f"held-back-{MODEL_NAME}-{int(version)}.json"

    def held_back(self, version: int) -> list:
        """The corrections ([text, label]) kept out of training the version ``version``."""
        path = self._held_back_path(version)
        return json.loads(path.read_text("utf-8")) if path.is_file() else []

    def check_storable(self) -> None:
        """Refuse, before any training, a registry where no version of the model can be stored (see
        :meth:`ModelRegistry.check_folder`: a folder this user may not write in, a file where it goes)."""
        self.registry.check_folder(MODEL_NAME)

    def train_version(self, corpus) -> tuple:
        """A model trained on ``corpus`` plus the corrections, every 5th held back, not yet stored: (model, the
        held-back corrections, its description), for :meth:`store_version`; checked storable first."""
        from .._train import train

        self.check_storable()
        corrections = list(self.store.labels().items())
        held = corrections[HOLD_BACK_EVERY - 1::HOLD_BACK_EVERY]
        learned = dict(c for n, c in enumerate(corrections, start=1) if n % HOLD_BACK_EVERY)
        model = train(corpus, cv=0, corrections=learned)
        return model, held, f"网页重新训练：{Path(corpus).name} + {len(learned)} 条更正"

    def store_version(self, model, held: list, description: str) -> int:
        """Store what :meth:`train_version` trained as the next version, with its held-back corrections; returns it."""
        version = self.registry.save(model, MODEL_NAME, description=description)
        self.scratch.mkdir(parents=True, exist_ok=True)
        write_json(self._held_back_path(version), held)
        return version

    def retraining_note(self) -> dict | None:
        """The record of the latest retraining that did not finish (``started``, and ``stopped`` when the server
        stopping cut it short), kept across restarts; None once one finished."""
        path = self.scratch / _RETRAINING
        return json.loads(path.read_text("utf-8")) if path.is_file() else None

    def note_retraining(self, record: dict | None) -> None:
        """Keep ``record`` as :meth:`retraining_note` (None: a retraining finished)."""
        if record is None:
            (self.scratch / _RETRAINING).unlink(missing_ok=True)
        else:
            self.scratch.mkdir(parents=True, exist_ok=True)
            write_json(self.scratch / _RETRAINING, record)

    def compare(self, version: int) -> tuple[pd.DataFrame, int, str, list]:
        """The figures of ``version`` and of the production model on the corrections held back from
        ``version``: (table with one column per model, how many corrections, production's name, what the comparison
        warned of in Chinese)."""
        from .._evaluate import compare, figures_in_chinese

        held = self.held_back(version)
        if not held:
            raise ValueError("no held-back corrections")
        production_ref, production = self.production()
        name_new = f"第 {int(version)} 版"
        name_old = f"上线中（{production_ref.replace('default', '内置模型')}）"
        _, candidate = self.get(f"{MODEL_NAME}@{int(version)}")
        data = pd.DataFrame(held, columns=["text", "label"])
        compared = compare({name_old: production, name_new: candidate}, data)
        return figures_in_chinese(compared.figures), len(held), name_old, compared.warned

    def promote(self, version: int) -> None:
        """Point ``production`` at ``version``."""
        self.registry.set_alias(MODEL_NAME, int(version), PRODUCTION)

