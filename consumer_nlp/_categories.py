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
