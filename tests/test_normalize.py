import csv
import unicodedata

from consumer_nlp.features._normalize import normalize, normalize_many


def test_full_width_becomes_half_width():
    assert normalize("ＯＫ，１２３元！") == "ok, MONEY !"


def test_traditional_becomes_simplified():
    assert normalize("這個產品質量很差，退貨還要收費") == "这个产品质量很差,退货还要收费"


def test_simplified_words_stay_as_written_where_the_t2s_phrase_table_reads_a_variant():
    # OpenCC's t2s phrases read 坏 (Simplified "bad", a rare Traditional variant of 坯) as 坯 in 打坏, 拉坏, 捏坏, 一坏:
    # 快递把杯子打坏了 became 快递把杯子打坯了, and a deciding term shown to a desk was a word no complaint holds.
    for text in ["快递把杯子打坏了", "拉链一拉就拉坏了", "水果捏坏了好几个", "这种灯一坏就修不好", "鞋子坏了"]:
        assert normalize(text) == text
    assert normalize("毛坯房，牆壁開裂") == "毛坯房,墙壁开裂"  # the Traditional text around it is still converted


def test_white_space_and_line_breaks_collapse():
    assert normalize("  漏水\n\n了\t\u3000三次 \u200b ") == "漏水 了 三次"


def test_phone_numbers_fold_masked_or_not():
    assert normalize("电话138****5678") == normalize("电话13912345678") == "电话 PHONE"
    assert normalize("座机010-88886666") == "座机 PHONE"


def test_order_numbers_dates_money_and_numbers_fold():
    assert normalize("订单号20240312887766") == "订单号 ORDERNO"
    assert normalize("单号SF1234567890123") == "单号 ORDERNO"
    assert normalize("2024年3月5日买的") == "DATE 买的"
    assert normalize("多扣了￥１２８．５元") == "多扣了 MONEY"
    assert normalize("花了5,999元") == normalize("花了 3块") == normalize("花了RMB 20") == "花了 MONEY"
    assert normalize("修了3次") == "修了 NUM 次"


def test_names_with_digits_are_kept():
    assert normalize("iPhone15的5G信号差，4S店不管") == "iphone15的5g信号差,4s店不管"


def test_meaning_is_kept():
    text = "秤不准，少了二两，商家还不认账"
    assert normalize(text) == "秤不准,少了二两,商家还不认账"


def test_compatibility_forms_follow_unicode_nfkc():
    # one-character and several-character mappings, and a text the table alone cannot finish
    for text in ["……！！①½㈱ﬁ", "ｅ\u0301", "㍻元年", "\U0001d400\U0001d401"]:
        assert normalize(text) == normalize(unicodedata.normalize("NFKC", text))


def test_lone_surrogates_from_broken_emoji_are_dropped():
    # json.loads('"\\ud83d"') gives such a string; it must not stop tagging
    assert normalize("坏了\ud83d退货") == "坏了退货"


def test_html_entities_from_scraped_pages_are_decoded():
    assert normalize("房&#38388;太小&amp;旧，&quot;四星&quot;") == normalize('房间太小&旧，"四星"')
    # an escaped line break stays inside its own text of a batch
    assert normalize_many(["隔音差&#10;没热水", "早餐一般"]) == ["隔音差 没热水", "早餐一般"]


def test_long_runs_of_letters_or_digits_normalise_whole():
    # These patterns used to rescan the run from every position (80,000 letters took close to a
    # minute); the speed itself is not asserted here, what such cells become is.
    assert normalize("a" * 200_000) == "a" * 200_000  # no digit: no order number
    assert normalize("1," * 100_000) == " ".join(["NUM ,"] * 100_000)  # no unit: numbers, not money
    assert normalize("1,," * 70_000) == " ".join(["NUM ,,"] * 70_000)
    assert normalize("¥1," * 70_000) == " ".join(["MONEY ,"] * 70_000)  # a sign makes each one money


def test_money_keeps_the_punctuation_after_it():
    assert normalize("票价480元，结账多了60元") == "票价 MONEY ,结账多了 MONEY"
    assert normalize("价格，1,200元") == "价格, MONEY"


def test_batch_normalisation_equals_one_at_a_time(small_corpus):
    texts = small_corpus[0] + ["¥\n12", "  ", "a\x00b", "cafe\u0301的\u1100\u1161饭不好吃"]
    assert normalize_many(texts) == [normalize(t) for t in texts]


def test_every_currency_marker_opens_with_a_character_the_money_fold_looks_for():
    import re

    from consumer_nlp._money import CURRENCY, CURRENCY_OPENS

    opens = set()
    for alternative in CURRENCY.split("|"):  # "[¥￥]", "rmb", ...
        opens |= set(alternative[1:alternative.index("]")]) if alternative.startswith("[") else {alternative[0]}
    assert opens == set(CURRENCY_OPENS)
    markers = ["¥", "￥", "rmb", "人民币"]
    assert all(re.fullmatch(CURRENCY, marker) for marker in markers)
    assert [normalize(f"{marker}25") for marker in markers] == ["MONEY"] * 4


def test_order_numbers_start_only_after_a_non_letter():
    assert normalize("订单ab12345678") == "订单 ORDERNO"
    assert normalize("x9ab12345678") == "ORDERNO"  # the run is one order number
    assert normalize("12345678-ab") == "ORDERNO"


def test_a_long_run_of_combining_marks_costs_what_it_is_long():
    # Unicode's canonical reordering is an insertion sort: 40,000 marks of one class before 40,000 of
    # another took 11.6 s to tag (quadratic). A hang, not a speed figure: now milliseconds.
    import time

    text = "投诉" + "\u0301" * 40_000 + "\u0316" * 40_000 + "漏水"
    started = time.perf_counter()
    normalized = normalize(text)
    assert time.perf_counter() - started < 2
    assert normalized.startswith("投诉") and normalized.endswith("漏水")
    assert normalize("cafe\u0301") == normalize("café")  # a mark or a few are composed as before


def test_every_placeholder_has_a_name_a_person_reads_and_deciding_terms_use_it(default_model):
    # Deciding terms showed MONEY and NUM, which a desk cannot read.
    from consumer_nlp.features._normalize import _NUMBER_FOLDS, _URL_FOLD, PLACEHOLDER_NAMES

    assert {placeholder.strip() for _, placeholder in [_URL_FOLD, *_NUMBER_FOLDS]} == set(PLACEHOLDER_NAMES)
    terms = [term for term, _ in default_model.tag(["超市多收了我35元"])[0]["top_terms"]]
    assert "〈金额〉" in terms and not any("MONEY" in term for term in terms)


# Texts whose normal forms a second pass read otherwise: placeholders lower-cased, and references that a
# second decoding found (escaped twice, or made by a later step: NFKC's ＆, removed invisibles, lower case).
NOT_NORMAL_TWICE = ["电话13912345678", "2024年3月5日多收了35元，修了3次", "单号SF1234567890123 见 www.x.cn/a",
                    "&amp;lt;b&amp;gt;加粗", "&amp;amp;", "＆lt;", "&l\u200bt;", "&Copy; 2024", "&amp;#38388;",
                    "PHONE 和 MONEY", "H&M的衣服", "AT&T", "&ampx"]


def test_normalising_a_normal_form_changes_nothing(repo_root):
    # A pipeline normalising before the model (FunctionTransformer(normalize_many)) lost every phone, date,
    # amount and order-number feature: the placeholders were lower-cased; and &amp;lt; became < on a second pass.
    with open(repo_root / "data" / "complaints.csv", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)] + NOT_NORMAL_TWICE
    once = normalize_many(texts)
    assert [(text, a, b) for text, a, b in zip(texts, once, normalize_many(once)) if a != b] == []
    assert normalize("电话13912345678") == "电话 PHONE" and normalize("H&M的衣服") == "h&m的衣服"


def test_texts_normalised_before_the_model_are_tagged_as_the_texts_themselves(default_model, repo_root):
    with open(repo_root / "data" / "complaints.csv", encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)][::40] + NOT_NORMAL_TWICE  # 295 corpus texts
    alone, normalised_first = default_model.tag_columns(texts), default_model.tag_columns(normalize_many(texts))
    assert list(normalised_first["category"]) == list(alone["category"])
    assert list(normalised_first["confidence"]) == list(alone["confidence"])
