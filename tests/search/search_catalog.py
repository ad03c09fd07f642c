"""A small hand-made multilingual catalog (en/es/ar/zh) shared by the search contract tests."""

from __future__ import annotations

from search import ProductDocument

AUDIO = ["electronics", "audio"]
HEADPHONES = ["electronics", "audio", "headphones"]
PHONES = ["electronics", "phones"]
ACCESSORIES = ["electronics", "accessories"]
SHOES = ["fashion", "shoes"]
KITCHEN = ["home", "kitchen"]
BAGS = ["fashion", "bags"]


def _doc(id: str, titles: dict[str, str], **kw: object) -> ProductDocument:
    """Build a document with neutral defaults so each entry only states what matters."""
    defaults: dict[str, object] = dict(
        descriptions={},
        brand="Generic",
        category_ids=["misc"],
        category_names=[],
        sellers=["acme"],
        ships_from=["CN"],
        free_shipping_to=[],
        price=10.0,
        rating=0.0,
        orders=0,
        created_at=1_700_000_000,
    )
    defaults.update(kw)
    return ProductDocument(id=id, titles=titles, **defaults)  # type: ignore[arg-type]


CATALOG: list[ProductDocument] = [
    _doc("h1", {"en": "Wireless Bluetooth Headphones", "es": "Auriculares inalámbricos Bluetooth",
                "zh": "无线蓝牙耳机", "ar": "سماعات رأس لاسلكية"},
         descriptions={"en": "Over-ear headphones with 30 hours of battery."},
         brand="Sonic", category_ids=HEADPHONES, category_names=["Headphones"], sellers=["acme"],
         ships_from=["CN"], free_shipping_to=["US", "ES"], price=25.0, rating=4.6, orders=900,
         created_at=1_700_000_100),
    _doc("h2", {"en": "Noise Cancelling Headphones Pro"}, brand="Sonic", category_ids=HEADPHONES,
         sellers=["acme", "beststore"], ships_from=["US"], free_shipping_to=["*"], price=120.0,
         rating=4.8, orders=300, created_at=1_710_000_000),
    _doc("e1", {"en": "Sport Earbuds with Charging Case", "es": "Auriculares deportivos con estuche de carga"},
         brand="Pulse", category_ids=AUDIO, sellers=["beststore"], ships_from=["CN"], price=15.0,
         rating=3.9, orders=1500, created_at=1_705_000_000),
    _doc("l1", {"es": "Altavoz Bluetooth portátil"}, brand="Pulse", category_ids=AUDIO, sellers=["tienda"],
         ships_from=["ES"], free_shipping_to=["ES"], price=30.0, rating=4.1, orders=10,
         created_at=1_701_000_000),
    _doc("l2", {"en": "Bluetooth Speaker"}, brand="Boom", category_ids=AUDIO, sellers=["beststore"],
         ships_from=["US"], price=40.0, rating=4.3, orders=5000, created_at=1_702_000_000),
    _doc("p1", {"en": "Android Smartphone 128GB", "es": "Teléfono móvil Android 128GB",
                "zh": "安卓智能手机", "ar": "هاتف ذكي أندرويد"},
         brand="Nova", category_ids=PHONES, sellers=["acme"], ships_from=["CN"], free_shipping_to=["*"],
         price=199.0, rating=4.2, orders=700, created_at=1_708_000_000),
    _doc("p2", {"en": "Rugged Cellphone with Long Battery"}, brand="Nova", category_ids=PHONES,
         sellers=["beststore"], ships_from=["HK"], price=149.0, rating=3.5, orders=50,
         created_at=1_703_000_000),
    _doc("z1", {"zh": "手机支架 铝合金"}, brand="Orbit", category_ids=ACCESSORIES, sellers=["shop88"],
         ships_from=["CN"], free_shipping_to=["*"], price=5.5, rating=4.0, orders=2500,
         created_at=1_704_000_000),
    _doc("s1", {"en": "Running Sneakers Lightweight", "es": "Zapatillas para correr ligeras"},
         brand="Stride", category_ids=SHOES, sellers=["tienda"], ships_from=["VN"],
         free_shipping_to=["US"], price=45.0, rating=4.4, orders=1200, created_at=1_709_000_000),
    _doc("s2", {"en": "Classic Leather Trainers"}, brand="Stride", category_ids=SHOES, sellers=["tienda"],
         ships_from=["IT"], price=89.0, rating=4.0, orders=80, created_at=1_706_000_000),
    _doc("k1", {"en": "Espresso Café Machine", "es": "Máquina de café espresso"}, brand="Barista",
         category_ids=KITCHEN, sellers=["acme"], ships_from=["IT"], price=230.0, rating=4.7, orders=60,
         created_at=1_707_000_000),
    _doc("k2", {"en": "Stainless Steel Kettle"}, brand="Barista", category_ids=KITCHEN, sellers=["acme"],
         ships_from=["CN"], price=35.0, rating=0.0, orders=5, created_at=1_711_000_000),
    _doc("d1", {"en": "Gaming Desk Mat"}, descriptions={"en": "Large mat with room for headphones and keyboard."},
         brand="Orbit", category_ids=ACCESSORIES, sellers=["shop88"], ships_from=["CN"], price=12.0,
         rating=3.2, orders=400, created_at=1_712_000_000),
    _doc("a1", {"ar": "حقيبة الظهر للسفر"}, brand="Rahal", category_ids=BAGS, sellers=["souq"],
         ships_from=["AE"], free_shipping_to=["AE", "SA"], price=60.0, rating=4.5, orders=30,
         created_at=1_713_000_000),
    _doc("w1", {"es": "Reloj inteligente deportivo", "en": "Sport Fitness Tracker"}, brand="Pulse",
         category_ids=ACCESSORIES, sellers=["tienda"], ships_from=["CN"], price=55.0, rating=2.8,
         orders=150, created_at=1_714_000_000),
    _doc("c1", {"en": "Travel Coffee Mug", "zh": "旅行咖啡杯"}, brand="Barista", category_ids=KITCHEN,
         sellers=["shop88"], ships_from=["CN"], price=9.0, rating=1.5, orders=20, created_at=1_715_000_000),
    _doc("b1", {"en": "Leather Backpack", "ar": "حقيبة جلدية"}, brand="Rahal", category_ids=BAGS,
         sellers=["souq"], ships_from=["TR"], free_shipping_to=["*"], price=75.0, rating=3.0, orders=90,
         created_at=1_716_000_000),
    _doc("t1", {"en": "Smart TV 43 inch", "es": "Televisor inteligente de 43 pulgadas"}, brand="Nova",
         category_ids=["electronics", "tv"], sellers=["acme"], ships_from=["KR"], price=310.0,
         rating=4.9, orders=120, created_at=1_717_000_000),
    _doc("g1", {"en": "Phone Charger 20W", "es": "Cargador de teléfono 20W"}, brand="Volt",
         category_ids=ACCESSORIES, sellers=["acme"], ships_from=["CN"], free_shipping_to=["*"], price=8.0,
         rating=4.1, orders=3000, created_at=1_718_000_000),
    _doc("q1", {"en": 'Quote "AND" = TO Gadget'}, brand='Weird "Brand" AND = TO', category_ids=["misc"],
         sellers=['odd seller = TO'], ships_from=["CN"], price=1.0, rating=0.0, orders=1,
         created_at=1_690_000_000),
]

BY_ID: dict[str, ProductDocument] = {doc.id: doc for doc in CATALOG}
