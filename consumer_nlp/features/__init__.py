"""Where a complaint becomes features: normalised text, tokens, TF-IDF terms and clauses."""
from ._clauses import best_by_owner, split_clauses
from ._normalize import normalize, normalize_many
from ._tokenize import BACKENDS, Tokenizer, default_tokenizer
from ._vectorize import ComplaintVectorizer, TextInputMixin, terms_by_column

__all__ = ["BACKENDS", "ComplaintVectorizer", "TextInputMixin", "Tokenizer", "best_by_owner", "default_tokenizer",
           "normalize", "normalize_many", "split_clauses", "terms_by_column"]
