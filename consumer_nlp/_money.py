"""The amount of money a complaint mentions (涉案金额), for work-summary reports.

Amounts count when money is said to be paid, charged, lost or owed: a number with a money unit
(元, 块, 块钱, 毛, 角, 万元; 一块五, 3毛5; 3000余元 or 2000多块, a little over it), a currency sign
before it (¥, ￥, RMB, 人民币), or a number right after words that only money follows (花了, 罚款,
押金, 学费, 损失, 被骗…). Numbers with other units (2万公里, 粉丝100万, 额度5万, 收了100多件) are not
money. Chinese numerals are read with cn2an (两千多块, 一千二, 两万八; a range such as 七八百 counts its
larger end). Every pattern starts only where a number starts, so long runs of digits or numerals are
read in linear time.
"""
import re

from ._unicode import nfkc

_CN = "零〇一二两三四五六七八九十百千万亿"
CURRENCY = "[¥￥]|rmb|人民币"  # what marks an amount as money before its number (lower-cased text)
CURRENCY_OPENS = "¥￥r人"  # the characters CURRENCY can start with (a test holds the two together)
# A number, taken whole (an atomic group: never a shorter piece of it): Arabic digits with an
# optional 百/千/万/亿 scale, or a run of Chinese numerals. It starts where no number goes on: not
# after a digit, a point, a digit and its thousands comma (1,280) or a digit and 千/百/十 (inside
# 3千2百, whose every piece would otherwise start a number reading the rest again: quadratic on a
# long run), but after a comma that ends a clause it does.
_NUMBER = (rf"(?>(?<![0-9.])(?<![0-9],)(?<![0-9][千百十])[0-9]+(?:,[0-9]{{3}})*(?:\.[0-9]+)?(?:(?:[千百]?万|千|百|亿)(?:[0-9]+[千百十])*)?"
           rf"|(?<![{_CN}])[{_CN}]{{1,8}})")
_CUES = ("花了|付了|交了|充了|罚款|押金|定金|订金|尾款|违约金|学费|报名费|费用|损失了|损失|赔了|被骗了?|骗走|"
         "转走了?|扣了|收了|欠了?|多收了?")
_UNIT, _PLAIN = "块|毛", "元|块钱|角"  # the units an amount ends in: 块 and 毛 may have a digit after them (一块五)
_OTHER_UNITS = ("公里|千米|米|斤|公斤|克|个|件|次|遍|回|趟|笔|期|周|整|天|下午|上午|下|小时|分钟|分|号|楼|岁|%|折|度|平|寸|匹|G|"
                "兆|积分|人|家|台|张|年(?!费)|月|日|瓶|份|单")
_AMOUNT = re.compile(
    rf"(?:{CURRENCY})\s*(?P<sign>{_NUMBER})"
    rf"|(?P<unit_number>{_NUMBER})\s*+(?:多|余|来|左右)?\s*+"  # possessive: a run of spaces is split one way only
    rf"(?:(?P<unit>{_UNIT})(?P<sub>[0-9一二三四五六七八九](?![0-9个件次块毛斤]|[{_CN}](?![斤个件])))?|(?P<plain>{_PLAIN}))"
    # 一块碎玻璃, 一角海: 一块 and 一角 followed by a word are measure words (七十五块没退 is money)
    rf"(?<!(?<![{_CN}])一[块角](?=[\u4e00-\u9fff])(?![钱多的左来{_CN}]))"
    rf"|(?:{_CUES})(?:了|我)?\s*(?P<cued>{_NUMBER})(?:多|余|来)?+(?!\s*(?:{_OTHER_UNITS}|元|块|毛|角|[0-9]))",
    re.IGNORECASE)
# Each of _AMOUNT's three ways holds its currency sign, its unit or its cue word: a text with none of them mentions no
# money, and one search for them costs a seventh of reading the text with _AMOUNT (most texts have none).
_MAY_HOLD = re.compile(f"{CURRENCY}|{_UNIT}|{_PLAIN}|{_CUES}", re.IGNORECASE)
_RANGE = re.compile("([一二两三四五六七八九])([一二两三四五六七八九])([十百千万])$")
_SCALE_OF = {"亿": 10 ** 8, "千万": 10 ** 7, "百万": 10 ** 6, "万": 10 ** 4, "千": 1000, "百": 100, "十": 10}
_DIGIT_GROUPS = re.compile("([0-9.]+)(亿|千万|百万|万|千|百|十)?")


def _value(number: str) -> float | None:
    """The value of one number as written (1,280 / 3.8万 / 两千 / 七八百), or None."""
    number = number.replace(",", "")
    if number[0].isdigit():  # 1280, 3.5万, 2千万, 2万8千, 3千2百
        return sum(float(digits) * _SCALE_OF.get(scale, 1) for digits, scale in _DIGIT_GROUPS.findall(number))
    import cn2an

    ranged = _RANGE.match(number)
    if ranged:  # 七八百: the larger end
        number = ranged[2] + ranged[3]
    try:
        return float(cn2an.cn2an(number, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


_PLUS = re.compile(r"\s*\+\s*")  # between two amounts that are added (9.9元+19.9元; NFKC makes ＋ a +)


def _read(text: str) -> str:
    """``text`` as amounts are read in it: NFKC, which makes the Chinese comma a "," that would join 200，300 into one
    number, so a clause's end instead."""
    return nfkc(text.replace("，", "、"))


def money_mentioned(text) -> float:
    """The largest amount of money ``text`` mentions, in yuan (0 when it mentions none); amounts joined by plus signs
    (9.9元+19.9元, two things bought) are one amount, their sum."""
    if not isinstance(text, str):
        return 0.0
    best = summed = 0.0
    end = None  # where the amount before ends
    read = _read(text)
    if not _MAY_HOLD.search(read):
        return 0.0
    for match in _AMOUNT.finditer(read):
        value = _value(match["sign"] or match["unit_number"] or match["cued"])
        if value is None:
            continue
        if (match["unit"] or match["plain"]) in ("毛", "角"):
            value = value / 10 + (_value(match["sub"]) / 100 if match["sub"] else 0)
        elif match["unit"] == "块" and match["sub"]:
            value += _value(match["sub"]) / 10
        joined = end is not None and _PLUS.fullmatch(read, end, match.start())
        summed, end = (summed + value if joined else value), match.end()
        best = max(best, summed)
    return best


def amounts_mentioned(texts) -> list:
    """:func:`money_mentioned` of each of ``texts``, in order, each distinct text read once (an archive repeats
    texts: copies, templates, a complaint sent again)."""
    known = {}
    return [known[text] if text in known else known.setdefault(text, money_mentioned(text)) for text in texts]
