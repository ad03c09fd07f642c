"""Deterministic synthetic multilingual product catalog for benchmarks and load tests."""

from __future__ import annotations

import random
from typing import Iterator

from search.types import ProductDocument

# (en, es, ar, zh, category path) for each product type.
TYPES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("headphones", "auriculares", "سماعات رأس", "耳机", ("electronics", "audio")),
    ("earbuds", "auriculares intrauditivos", "سماعات أذن", "入耳式耳机", ("electronics", "audio")),
    ("speaker", "altavoz", "مكبر صوت", "音箱", ("electronics", "audio")),
    ("smartphone", "teléfono móvil", "هاتف ذكي", "智能手机", ("electronics", "phones")),
    ("phone case", "funda de teléfono", "جراب هاتف", "手机壳", ("electronics", "phones", "accessories")),
    ("charger", "cargador", "شاحن", "充电器", ("electronics", "phones", "accessories")),
    ("power bank", "batería externa", "باور بانك", "充电宝", ("electronics", "phones", "accessories")),
    ("smartwatch", "reloj inteligente", "ساعة ذكية", "智能手表", ("electronics", "wearables")),
    ("tablet", "tableta", "جهاز لوحي", "平板电脑", ("electronics", "computers")),
    ("keyboard", "teclado", "لوحة مفاتيح", "键盘", ("electronics", "computers")),
    ("mouse", "ratón", "فأرة", "鼠标", ("electronics", "computers")),
    ("camera", "cámara", "كاميرا", "相机", ("electronics", "cameras")),
    ("drone", "dron", "طائرة مسيرة", "无人机", ("electronics", "cameras")),
    ("sneakers", "zapatillas", "حذاء رياضي", "运动鞋", ("fashion", "shoes")),
    ("boots", "botas", "حذاء طويل", "靴子", ("fashion", "shoes")),
    ("jacket", "chaqueta", "سترة", "夹克", ("fashion", "clothing")),
    ("dress", "vestido", "فستان", "连衣裙", ("fashion", "clothing")),
    ("t-shirt", "camiseta", "قميص", "T恤", ("fashion", "clothing")),
    ("backpack", "mochila", "حقيبة ظهر", "背包", ("fashion", "bags")),
    ("handbag", "bolso", "حقيبة يد", "手提包", ("fashion", "bags")),
    ("sunglasses", "gafas de sol", "نظارات شمسية", "太阳镜", ("fashion", "accessories")),
    ("watch", "reloj", "ساعة", "手表", ("fashion", "accessories")),
    ("kettle", "hervidor", "غلاية", "水壶", ("home", "kitchen")),
    ("coffee maker", "cafetera", "صانعة قهوة", "咖啡机", ("home", "kitchen")),
    ("mug", "taza", "كوب", "马克杯", ("home", "kitchen")),
    ("knife set", "juego de cuchillos", "طقم سكاكين", "刀具套装", ("home", "kitchen")),
    ("desk lamp", "lámpara de escritorio", "مصباح مكتب", "台灯", ("home", "lighting")),
    ("led strip", "tira led", "شريط ليد", "灯带", ("home", "lighting")),
    ("pillow", "almohada", "وسادة", "枕头", ("home", "bedroom")),
    ("blanket", "manta", "بطانية", "毯子", ("home", "bedroom")),
    ("toy car", "coche de juguete", "سيارة لعبة", "玩具车", ("toys", "vehicles")),
    ("building blocks", "bloques de construcción", "مكعبات بناء", "积木", ("toys", "educational")),
    ("yoga mat", "esterilla de yoga", "سجادة يوغا", "瑜伽垫", ("sports", "fitness")),
    ("dumbbells", "mancuernas", "دمبل", "哑铃", ("sports", "fitness")),
    ("bicycle light", "luz de bicicleta", "ضوء دراجة", "自行车灯", ("sports", "cycling")),
    ("water bottle", "botella de agua", "زجاجة ماء", "水杯", ("sports", "outdoor")),
    ("tent", "tienda de campaña", "خيمة", "帐篷", ("sports", "outdoor")),
    ("hair dryer", "secador de pelo", "مجفف شعر", "吹风机", ("beauty", "hair")),
    ("lipstick", "pintalabios", "أحمر شفاه", "口红", ("beauty", "makeup")),
    ("perfume", "perfume", "عطر", "香水", ("beauty", "fragrance")),
)
ADJECTIVES: tuple[tuple[str, str, str, str], ...] = (
    ("wireless", "inalámbrico", "لاسلكي", "无线"), ("portable", "portátil", "محمول", "便携"),
    ("waterproof", "impermeable", "مقاوم للماء", "防水"), ("bluetooth", "bluetooth", "بلوتوث", "蓝牙"),
    ("leather", "de cuero", "جلدي", "真皮"), ("mini", "mini", "صغير", "迷你"),
    ("smart", "inteligente", "ذكي", "智能"), ("stainless steel", "acero inoxidable", "ستانلس ستيل", "不锈钢"),
    ("vintage", "vintage", "كلاسيكي", "复古"), ("ultra thin", "ultradelgado", "رفيع جدا", "超薄"),
    ("fast charging", "carga rápida", "شحن سريع", "快充"), ("foldable", "plegable", "قابل للطي", "折叠"),
    ("professional", "profesional", "احترافي", "专业"), ("cotton", "de algodón", "قطني", "纯棉"),
    ("ergonomic", "ergonómico", "مريح", "人体工学"), ("rechargeable", "recargable", "قابل للشحن", "可充电"),
    ("noise cancelling", "con cancelación de ruido", "عازل للضوضاء", "降噪"), ("kids", "infantil", "للأطفال", "儿童"),
    ("luxury", "de lujo", "فاخر", "奢华"), ("lightweight", "ligero", "خفيف", "轻便"),
)
COLORS: tuple[tuple[str, str, str, str], ...] = (
    ("black", "negro", "أسود", "黑色"), ("white", "blanco", "أبيض", "白色"), ("red", "rojo", "أحمر", "红色"),
    ("blue", "azul", "أزرق", "蓝色"), ("pink", "rosa", "وردي", "粉色"), ("green", "verde", "أخضر", "绿色"),
    ("gold", "dorado", "ذهبي", "金色"), ("silver", "plateado", "فضي", "银色"), ("grey", "gris", "رمادي", "灰色"),
)
FEATURES: tuple[str, ...] = (
    "long battery life", "premium materials", "two year warranty", "easy to clean", "gift box included",
    "compatible with most devices", "adjustable size", "anti slip design", "high quality sound",
    "energy saving", "USB-C port", "quick installation", "durable and strong", "soft touch finish",
)
COUNTRIES = ("CN", "CN", "CN", "CN", "US", "DE", "ES", "AE", "TR", "VN", "IN", "KR", "JP", "IT", "GB", "FR")
SYLLABLES = ("ka", "lo", "mi", "zen", "tor", "vex", "ru", "sa", "no", "qi", "bel", "dor", "fi", "gal", "xo", "ly")


def _brands(rng: random.Random, count: int) -> list[str]:
    """Invent pronounceable brand names."""
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize())
    return sorted(names)


def synthetic_documents(n: int, seed: int = 42) -> Iterator[ProductDocument]:
    """Yield n plausible products titled in en/es/ar/zh subsets; the same (n, seed) yields the same catalog."""
    rng = random.Random(seed)
    brands = _brands(rng, 400)
    sellers = [f"seller{i:04d}" for i in range(2000)]
    categories: dict[tuple[str, ...], str] = {}
    for *_, path in TYPES:
        for depth in range(1, len(path) + 1):
            categories.setdefault(path[:depth], f"c{len(categories) + 1}")
    now = 1_760_000_000
    for i in range(n):
        en, es, ar, zh, path = rng.choice(TYPES)
        adj = rng.choice(ADJECTIVES)
        color = rng.choice(COLORS)
        brand = rng.choice(brands)
        model = f"{rng.choice('XSMKPQ')}{rng.randint(1, 99)}"
        titles: dict[str, str] = {}
        if rng.random() < 0.9:
            titles["en"] = f"{brand} {adj[0].title()} {color[0].title()} {en.title()} {model}"
        if rng.random() < 0.6:
            titles["es"] = f"{es.capitalize()} {adj[1]} {color[1]} {brand} {model}"
        if rng.random() < 0.3:
            titles["ar"] = f"{ar} {adj[2]} {color[2]} {brand}"
        if rng.random() < 0.5 or not titles:
            titles["zh"] = f"{brand}{adj[3]}{color[3]}{zh}{model}"
        features = rng.sample(FEATURES, 3)
        descriptions = {"en": f"{adj[0].capitalize()} {en} in {color[0]}: {', '.join(features)}."}
        if "es" in titles:
            descriptions["es"] = f"{es.capitalize()} {adj[1]} de color {color[1]}, ideal para regalo."
        popularity = rng.paretovariate(1.2)
        free = ["*"] if rng.random() < 0.2 else rng.sample(COUNTRIES[4:], rng.randint(0, 3))
        yield ProductDocument(
            id=f"p{i}",
            titles=titles,
            descriptions=descriptions,
            brand=brand,
            category_ids=[categories[path[:d]] for d in range(1, len(path) + 1)],
            category_names=[path[-1]],
            sellers=rng.sample(sellers, rng.choice((1, 1, 1, 2, 3))),
            ships_from=sorted(set(rng.sample(COUNTRIES, rng.choice((1, 1, 2))))),
            free_shipping_to=free,
            price=round(rng.lognormvariate(3.0, 1.0), 2),
            rating=0.0 if rng.random() < 0.15 else round(rng.uniform(2.5, 5.0), 1),
            orders=int(min(popularity * 10, 1_000_000)) - 10 + rng.randint(0, 9),
            created_at=now - rng.randint(0, 3 * 365 * 86400),
        )
