import pickle

import numpy as np
import pandas as pd
import pytest

from consumer_nlp.features._normalize import normalize
from consumer_nlp.features._tokenize import Tokenizer, default_stop_words, default_user_words, resolve_backend

BACKENDS = ["rjieba", "jieba"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_domain_words_stay_whole_in_a_sentence(backend):
    tokens = Tokenizer(backend).cut(normalize("商家以次充好还缺斤短两，又大数据杀熟，自动续费，贷款收砍头息，用鬼秤"))
    for word in ["以次充好", "缺斤短两", "大数据杀熟", "自动续费", "砍头息", "鬼秤"]:
        assert word in tokens


def test_without_the_domain_dictionary_those_words_split():
    tokens = Tokenizer("rjieba", user_words=()).cut("大数据杀熟还收砍头息")
    assert "大数据杀熟" not in tokens and "砍头息" not in tokens


def test_backends_agree_on_every_dictionary_word():
    fast, slow = Tokenizer("rjieba"), Tokenizer("jieba")
    stop = set(default_stop_words())
    words = [w for w, _ in default_user_words() if w not in stop]
    assert len(words) > 300
    disagreements = [w for w in words if fast.cut(w) != slow.cut(w)]
    assert disagreements == []
    assert all(fast.cut(w) == [w] for w in words)


def test_stop_words_and_punctuation_drop_but_negation_stays():
    tokens = Tokenizer().cut(normalize("我的空调不制冷了！！没有人管吗？"))
    assert "的" not in tokens and "！" not in tokens and "!" not in tokens
    assert "不制冷" in tokens and "没有" in tokens


def test_separators_are_told_by_code_point_as_the_pattern_tells_them():
    from consumer_nlp._unicode import code_points
    from consumer_nlp.features._clauses import BREAKS
    from consumer_nlp.features._tokenize import SEPARATOR

    chars = "".join(map(chr, range(0x10000))) + "𠀀𠮷😡🀄🍎🫠\U000e0001"  # the whole first plane, and some beyond
    codes = code_points(chars)
    for kind in (SEPARATOR, BREAKS):
        expected = [kind.pattern.fullmatch(c) is not None for c in chars]
        assert kind.mask(codes).tolist() == expected
    # every clause break but the line break between texts is a separator, so a token of its own
    assert not (BREAKS.mask(codes) & ~SEPARATOR.mask(codes) & (codes != ord("\n"))).any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_runs_of_punctuation_and_symbols_separate_tokens_as_one_separator_would(backend):
    tokenizer = Tokenizer(backend)
    assert tokenizer.cut("质量差!!!——客服/不理……退款") == tokenizer.cut("质量差 客服 不理 退款")
    assert tokenizer.cut("a.b-c") == ["a", "b", "c"]


def test_emoji_and_placeholders_are_tokens():
    tokens = Tokenizer().cut(normalize("退款128元还没到😡"))
    assert "MONEY" in tokens and "😡" in tokens


def test_tokenizer_survives_pickling_to_workers():
    tokenizer = Tokenizer("jieba", user_words=[("测试专用词", 500)])
    clone = pickle.loads(pickle.dumps(tokenizer))
    assert "测试专用词" in clone.cut("这是测试专用词")
    assert clone.cut("这是测试专用词") == tokenizer.cut("这是测试专用词")


def test_jieba_backend_is_quiet(capfd):
    Tokenizer("jieba").cut("第一次构建前缀词典")
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_auto_prefers_the_fast_backend_and_unknown_is_refused():
    assert resolve_backend("auto") == "rjieba"
    with pytest.raises(ValueError, match="unknown tokenizer backend"):
        Tokenizer("thulac")


def test_threads_cutting_at_once_build_one_segmenter_and_leave_jiebas_logger_as_it_was(monkeypatch):
    # Each thread built its own segmenter (a dictionary load apiece), and the jieba backend's
    # save-set-restore of its logger's level, done by several threads at once, left it at ERROR.
    import logging
    import threading
    import time

    from consumer_nlp.features import _tokenize

    built = []
    build = _tokenize._build_segmenter

    def slow_build(*args):
        built.append(1)
        time.sleep(0.2)
        return build(*args)

    monkeypatch.setattr(_tokenize, "_build_segmenter", slow_build)
    logger = logging.getLogger("jieba")
    level = logger.level
    tokenizer = Tokenizer("jieba")
    results = []
    threads = [threading.Thread(target=lambda: results.append(tokenizer.cut("电表走得飞快"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len(results) == 4 and all(r == results[0] for r in results)
    assert logger.level == level


def test_a_lookup_table_is_the_one_of_the_vocabulary_asked_for_though_another_thread_caches_its_own():
    # The table was built, cached, and read back from the cache: a thread switch between caching and reading
    # handed one vocabulary's table (the review queue's unknown_share) to a caller that asked for another's.
    words = ("漏水",)

    class SwitchingAfterCaching(Tokenizer):
        """As if another thread asked for ``words``' table right after this one cached its own."""

        @property
        def _table(self):
            return self.__dict__.get("cached")

        @_table.setter
        def _table(self, value):
            self.__dict__["cached"] = value
            if value is not None and value[0] is not words:
                Tokenizer._lookup_table(self, words)

    vocabulary = ("退款", "秤")
    table = SwitchingAfterCaching("rjieba")._lookup_table(vocabulary)
    assert (table["退款"], table["秤"], table["漏水"]) == (0, 1, -1)


def test_a_line_break_inside_a_text_never_moves_its_words_to_the_next_text():
    # The texts of a batch are joined by line breaks; one inside a text (a text not normalised, as a user of
    # Tokenizer or ComplaintVectorizer may give it) made its words after the break the next text's, and the last
    # text's were dropped: cut("手机屏幕\n坏了") printed ['手机', '屏幕'] (helper g9).
    tokenizer = Tokenizer()
    assert tokenizer.cut("手机屏幕\n坏了") == tokenizer.cut("手机屏幕 坏了") == ["手机", "屏幕", "坏"]
    assert tokenizer.cut_many(["手机屏幕\n坏了", "退款"]) == [["手机", "屏幕", "坏"], ["退款"]]


def test_texts_as_a_numpy_array_or_a_pandas_series_are_cut_as_a_list_is():
    # scikit-learn hands a step its texts as it was given them, sliced: an array or a Series (index not 0, 1, …)
    # failed with "The truth value of a Series is ambiguous" (helper g9).
    texts = ["手机屏幕坏了", "退款", ""]
    tokenizer = Tokenizer()
    expected = tokenizer.cut_many(texts)
    assert tokenizer.cut_many(np.array(texts, dtype=object)) == expected
    assert tokenizer.cut_many(pd.Series(texts, index=[7, 3, 5])) == expected
