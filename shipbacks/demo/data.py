"""The tables behind the demo data (see ``shipbacks.demo``): a merchant selling clothes, outdoor
gear, homeware and audio across Europe and the US; what the random choices are seeded with and
who acts."""

from dataclasses import dataclass

from orders.services import AddressData, CustomerData
from returns_portal.actors import Actor

from ..models import Warehouse

SEED = "returns-portal-demo"
# States only change through the services, with the system as the actor.
ACTOR = Actor.system()

BRANDS = (
    ("maison-lune", "Maison Lune"),
    ("nordvik", "Nordvik Outdoor"),
    ("atelier-sable", "Atelier Sable"),
    ("voltis", "Voltis Audio"),
)

# brand (None: the default brand), SKU, label, grams, (width, length, height) mm, price in EUR
# cents, colours: one product per colour, SKU-COLOUR.
PRODUCT_LINES = (
    ("maison-lune", "ML-SHIRT", "Linen shirt", 280, (300, 380, 30), 4990,
     ("White", "Sky blue", "Sage")),
    ("maison-lune", "ML-DRESS", "Wrap dress", 350, (300, 400, 40), 8900, ("Black", "Terracotta")),
    ("maison-lune", "ML-SWEATER", "Merino crew sweater", 420, (300, 400, 60), 9500,
     ("Navy", "Oatmeal", "Bordeaux")),
    ("maison-lune", "ML-JEANS", "Straight jeans", 650, (300, 400, 50), 7900, ("Indigo", "Black")),
    ("maison-lune", "ML-TEE", "Organic cotton T-shirt", 180, (250, 300, 20), 2500,
     ("White", "Black", "Heather grey")),
    ("maison-lune", "ML-SCARF", "Silk scarf", 90, (200, 200, 20), 5900, ("Ivory", "Emerald")),
    ("maison-lune", "ML-SWIMSUIT", "Swimsuit", 150, (200, 250, 20), 6500, ("Black",)),
    ("maison-lune", "ML-EARRINGS", "Crescent earrings", 40, (80, 80, 30), 3500, ("Gold",)),
    ("nordvik", "NV-PARKA", "Expedition parka", 1400, (400, 500, 120), 34900, ("Black", "Olive")),
    ("nordvik", "NV-SHELL", "Rain shell jacket", 520, (300, 400, 60), 17900,
     ("Red", "Navy", "Yellow")),
    ("nordvik", "NV-BACKPACK", "Trail backpack 28 L", 1100, (300, 520, 200), 12900,
     ("Grey", "Forest")),
    ("nordvik", "NV-BOOTS", "Hiking boots", 1600, (220, 340, 140), 18900, ("Brown",)),
    ("nordvik", "NV-FLEECE", "Grid fleece", 380, (300, 400, 50), 8900, ("Orange", "Charcoal")),
    ("nordvik", "NV-BOTTLE", "Insulated bottle 750 ml", 420, (80, 80, 280), 3490,
     ("Steel", "Moss")),
    ("nordvik", "NV-TENT", "Two-person tent", 2300, (180, 480, 180), 29900, ("Green",)),
    ("atelier-sable", "AS-MUG", "Stoneware mug", 380, (110, 110, 110), 1800, ("Sand", "Slate")),
    ("atelier-sable", "AS-MUG-NAME", "Personalised stoneware mug", 380, (110, 110, 110), 2900,
     ("Sand",)),
    ("atelier-sable", "AS-DUVET", "Washed linen duvet cover", 1500, (350, 450, 90), 14900,
     ("White", "Clay")),
    ("atelier-sable", "AS-LAMP", "Rattan table lamp", 1900, (320, 320, 480), 11900, ("Natural",)),
    ("atelier-sable", "AS-THROW", "Wool throw", 900, (300, 400, 80), 8900, ("Ochre", "Stone")),
    ("atelier-sable", "AS-VASE", "Ceramic vase", 1200, (180, 180, 320), 4500, ("Ivory",)),
    ("atelier-sable", "AS-TOWELS", "Bath towel set", 1300, (300, 400, 150), 5900,
     ("White", "Eucalyptus")),
    ("voltis", "VO-BUDS", "Wireless earbuds", 150, (90, 120, 50), 12900, ("Black", "White")),
    ("voltis", "VO-SPEAKER", "Portable speaker", 650, (100, 200, 100), 9900, ("Black", "Blue")),
    ("voltis", "VO-HEADPHONES", "Over-ear headphones", 420, (180, 220, 90), 19900,
     ("Black", "Silver")),
    ("voltis", "VO-CHARGER", "65 W USB-C charger", 180, (70, 90, 40), 3990, ()),
    ("voltis", "VO-CABLE", "Braided USB-C cable 2 m", 80, (90, 120, 25), 1490, ()),
    (None, "GIFT-CARD-50", "Gift card", 20, (100, 160, 5), 5000, ()),
)  # fmt: skip
# Hygiene, personalised or a voucher: not returnable.
NON_RETURNABLE = {"ML-EARRINGS", "AS-MUG-NAME", "GIFT-CARD-50"}
# The policy's window, overridden: longer for the parka, shorter for the earbuds.
WINDOW_OVERRIDES = {"NV-PARKA": 60, "VO-BUDS": 14}

# code, English label, French label, requires a photo.
REASONS = (
    ("doesnt_fit", "Doesn't fit", "Ne me va pas", False),
    ("damaged", "Arrived damaged", "Arrivé endommagé", True),
    ("quality", "Not satisfied with the quality", "Qualité décevante", False),
    ("wrong", "Wrong item received", "Mauvais article reçu", False),
    ("incorrect", "Not as described", "Ne correspond pas à la description", False),
    ("delay", "Arrived too late", "Arrivé trop tard", False),
    ("reconsider", "Changed my mind", "J'ai changé d'avis", False),
)
REASON_WEIGHTS = {
    "doesnt_fit": 35,
    "reconsider": 15,
    "quality": 12,
    "damaged": 10,
    "wrong": 8,
    "incorrect": 8,
    "delay": 5,
}
REASON_COMMENTS = {
    "doesnt_fit": {
        "en": ["Too small, I need one size up.", "Too large at the shoulders."],
        "fr": ["Trop petit, il me faut la taille au-dessus.", "Trop large aux épaules."],
    },
    "damaged": {
        "en": ["The box was crushed and the item is cracked."],
        "fr": ["Le carton était écrasé et l'article est fêlé."],
    },
    "quality": {
        "en": ["The fabric pills after one wash."],
        "fr": ["Le tissu bouloche après un lavage."],
    },
    "wrong": {
        "en": ["I ordered another colour."],
        "fr": ["J'avais commandé une autre couleur."],
    },
    "incorrect": {
        "en": ["The colour is not the one on the website."],
        "fr": ["La couleur n'est pas celle du site."],
    },
    "delay": {
        "en": ["It was a gift and arrived after the date."],
        "fr": ["C'était un cadeau, arrivé trop tard."],
    },
    "reconsider": {
        "en": ["Found something that suits me better."],
        "fr": ["J'ai trouvé mieux ailleurs."],
    },
}

WAREHOUSES = (
    {
        "reference": "PAR-01",
        "name": "Paris Nord returns centre",
        "provider": Warehouse.Provider.MANUAL,
        "accepts_direct_returns": True,
        "address": AddressData("13 rue de la Perdrix", "93290", "Tremblay-en-France", "FR"),
    },
    {
        "reference": "LYS-QC",
        "name": "Lyon quality control",
        "provider": Warehouse.Provider.KIBO,
        "kibo_location_id": 4102,
        "address": AddressData("27 rue du Dauphiné", "69960", "Corbas", "FR"),
    },
    {
        "reference": "LEJ-01",
        "name": "Leipzig EU hub",
        "provider": Warehouse.Provider.SHIPPINGBO,
        "shippingbo_supplier_id": 28714,
        "address": AddressData("Am Exer 10", "04158", "Leipzig", "DE"),
    },
    {
        "reference": "US-IL-01",
        "name": "ShipBob Chicago",
        "provider": Warehouse.Provider.SHIPBOB,
        "shipbob_fulfillment_center_id": 8,
        "address": AddressData("1350 Busch Parkway", "60089", "Buffalo Grove", "US", state="IL"),
    },
)
# reason code (None: any), country ("": any), warehouse reference.
RELOCATION_RULES = (
    (None, "", "PAR-01"),
    ("damaged", "", "LYS-QC"),
    ("quality", "", "LYS-QC"),
    (None, "DE", "LEJ-01"),
    (None, "IT", "LEJ-01"),
    (None, "US", "US-IL-01"),
    ("damaged", "US", "US-IL-01"),
    ("quality", "US", "US-IL-01"),
)
# reason code, country, share the merchant pays, most the customer pays (cents).
SPONSORING_RULES = (
    ("damaged", "", 100, None),
    ("wrong", "", 100, None),
    ("incorrect", "", 100, None),
    (None, "", 0, None),
    (None, "FR", 50, 450),
)


@dataclass(frozen=True)
class Country:
    code: str
    weight: int  # share of the orders
    currency: str
    phone: str  # a pattern, each # a digit
    carrier: str
    tracking: tuple[str, str]  # tracking number prefix and suffix
    number_first: bool  # "12 Upper Street" or "Kastanienallee 12"
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    places: tuple[tuple[str, str, str, str, str], ...]  # street, zipcode, city, state, locale
    dropoff_network: str
    shops: tuple[str, ...]
    # Return shipping prices (cents) per mode; None: not offered there.
    return_prices: dict


EU_PRICES = {"postal": 690, "pickup": 1190, "dropoff": 490}

COUNTRIES = {
    c.code: c
    for c in (
        Country(
            "FR", 40, "EUR", "+33 6 ## ## ## ##", "Colissimo", ("6A", ""), True,
            ("Camille", "Louis", "Léa", "Hugo", "Chloé", "Julien", "Manon", "Antoine", "Inès"),
            ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Roux", "Girard"),
            (
                ("rue Oberkampf", "75011", "Paris", "", "fr"),
                ("rue de la République", "69002", "Lyon", "", "fr"),
                ("rue Sainte-Catherine", "33000", "Bordeaux", "", "fr"),
                ("quai de la Fosse", "44000", "Nantes", "", "fr"),
                ("rue Paradis", "13006", "Marseille", "", "fr"),
                ("rue Esquermoise", "59800", "Lille", "", "fr"),
                ("rue d'Alsace-Lorraine", "31000", "Toulouse", "", "fr"),
            ),
            "Mondial Relay",
            ("Tabac de la Mairie", "Pressing du Centre", "Carrefour City", "Librairie des Arts"),
            EU_PRICES,
        ),
        Country(
            "DE", 14, "EUR", "+49 151 ########", "DHL", ("JJD000", ""), False,
            ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Paul", "Sophie"),
            ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"),
            (
                ("Kastanienallee", "10435", "Berlin", "", "en"),
                ("Schanzenstraße", "20357", "Hamburg", "", "en"),
                ("Leopoldstraße", "80802", "München", "", "en"),
                ("Ehrenstraße", "50672", "Köln", "", "en"),
            ),
            "DHL Packstation",
            ("Kiosk am Markt", "Schreibwaren Krause", "REWE City", "Späti Eck"),
            EU_PRICES,
        ),
        Country(
            "ES", 10, "EUR", "+34 6## ### ###", "Correos Express", ("PQ", "ES"), False,
            ("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Álvaro"),
            ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero"),
            (
                ("Calle de Fuencarral,", "28004", "Madrid", "", "en"),
                ("Carrer de Provença,", "08036", "Barcelona", "", "en"),
                ("Calle Sierpes,", "41004", "Sevilla", "", "en"),
                ("Carrer de Colón,", "46004", "València", "", "en"),
            ),
            "Correos Citypaq",
            ("Estanco Plaza Mayor", "Papelería Sol", "Carrefour Express", "Farmacia Central"),
            EU_PRICES,
        ),
        Country(
            "IT", 10, "EUR", "+39 3## ### ####", "BRT", ("BRT", ""), False,
            ("Giulia", "Marco", "Sofia", "Luca", "Chiara", "Matteo"),
            ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"),
            (
                ("Via Torino", "20123", "Milano", "MI", "en"),
                ("Via del Corso", "00186", "Roma", "RM", "en"),
                ("Via Garibaldi", "10122", "Torino", "TO", "en"),
                ("Via de' Tornabuoni", "50123", "Firenze", "FI", "en"),
            ),
            "BRT Fermopoint",
            ("Tabaccheria Centrale", "Edicola Duomo", "Cartoleria Roma", "Bar Sport"),
            EU_PRICES,
        ),
        Country(
            "BE", 8, "EUR", "+32 4## ## ## ##", "bpost", ("323", ""), True,
            ("Emma", "Noah", "Louise", "Arthur", "Elise", "Lucas"),
            ("Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Dupont"),
            (
                ("rue Neuve", "1000", "Bruxelles", "", "fr"),
                ("rue Saint-Gilles", "4000", "Liège", "", "fr"),
                ("Meir", "2000", "Antwerpen", "", "en"),
                ("Veldstraat", "9000", "Gent", "", "en"),
            ),
            "bpost point",
            ("Librairie du Parc", "Night Shop Centre", "Delhaize Shop", "Krantenwinkel De Kiosk"),
            EU_PRICES,
        ),
        Country(
            "GB", 9, "GBP", "+44 7### ######", "Royal Mail", ("RM", "GB"), True,
            ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava"),
            ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson"),
            (
                ("Upper Street", "N1 0PN", "London", "", "en"),
                ("Deansgate", "M3 4LQ", "Manchester", "", "en"),
                ("Park Street", "BS1 5NT", "Bristol", "", "en"),
                ("Rose Street", "EH2 2PR", "Edinburgh", "", "en"),
            ),
            "InPost",
            ("Corner Shop", "High Street Newsagent", "Co-op Food", "Post Office"),
            {"postal": 750, "pickup": 1290, "dropoff": 550},
        ),
        Country(
            "US", 9, "USD", "+1 415 555 01##", "UPS", ("1Z", ""), True,
            ("James", "Olivia", "Ethan", "Emma", "Noah", "Mia"),
            ("Johnson", "Miller", "Davis", "Garcia", "Rodriguez", "Anderson"),
            (
                ("Valencia Street", "94110", "San Francisco", "CA", "en"),
                ("Bedford Avenue", "11211", "Brooklyn", "NY", "en"),
                ("South Congress Avenue", "78704", "Austin", "TX", "en"),
                ("North Milwaukee Avenue", "60622", "Chicago", "IL", "en"),
            ),
            "UPS Access Point",
            ("The UPS Store", "CVS Pharmacy", "Walgreens", "Michaels"),
            {"postal": 995, "pickup": None, "dropoff": 795},
        ),
    )
}  # fmt: skip

# The orders customers can try the portal with: delivered a few days ago, no return yet.
FIXED_ORDERS = (
    {
        "order_number": "DEMO-1001",
        "ordered_days_ago": 10,
        "delivered_days_ago": 7,
        "tracking_number": "6A10010000001",
        "customer": CustomerData(
            first_name="Alex",
            last_name="Morgan",
            email="demo@example.com",
            phone="+33 6 12 34 56 78",
            locale="en",
            address=AddressData("12 rue Oberkampf", "75011", "Paris", "FR"),
        ),
        "items": (("ML-SHIRT-SKY-BLUE", 1), ("AS-MUG-SAND", 2), ("NV-FLEECE-ORANGE", 1)),
    },
    {
        "order_number": "DEMO-1002",
        "ordered_days_ago": 6,
        "delivered_days_ago": 3,
        "tracking_number": "6A10020000002",
        "customer": CustomerData(
            first_name="Camille",
            last_name="Durand",
            email="client@example.fr",
            phone="+33 6 98 76 54 32",
            locale="fr",
            address=AddressData("8 place Bellecour", "69002", "Lyon", "FR"),
        ),
        # The earrings show a non-returnable item next to returnable ones.
        "items": (("ML-DRESS-TERRACOTTA", 1), ("AS-DUVET-CLAY", 1), ("ML-EARRINGS-GOLD", 1)),
    },
)
