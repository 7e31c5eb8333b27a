"""The six complaint categories, in the labeling guide's order, with their Chinese names."""
from types import MappingProxyType

CATEGORIES = MappingProxyType({
    "quality": "质量问题",
    "price_measurement": "价格/计量",
    "safety": "安全问题",
    "false_advertising": "虚假宣传",
    "financial": "金融服务",
    "other": "其他",
})
LABELS = tuple(CATEGORIES)
LABEL_BY_NAME = MappingProxyType({**{label: label for label in LABELS}, **{zh: label for label, zh in CATEGORIES.items()}})


def in_guide_order(labels) -> list:
    """The different ``labels`` as tables show them: the guide's categories in its order, then any
    others sorted."""
    present = set(labels)
    return [label for label in LABELS if label in present] + sorted(present - set(LABELS), key=str)


def label_of(value) -> str | None:
    """The label a person meant by ``value``: the English label or the Chinese name, surrounding
    spaces ignored; None for anything else."""
    return LABEL_BY_NAME.get(value.strip()) if isinstance(value, str) else None
