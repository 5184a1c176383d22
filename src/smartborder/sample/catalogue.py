"""Data tables of the sample generator: goods, submitters, places, names and watch-list parts.

Lists are written as "a|b|c" strings; weighted lists as "a:3 b:1". All names are fictional.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    hs_code: str
    unit_value: float  # USD per unit (per pack for KGM goods)
    unit_mass: float  # kg net per unit
    origins: str  # usual origins, weighted
    descriptions: str
    weight: float = 1.0  # relative frequency in ordinary trade; 0 = only planted
    unit: str = "PCE"
    decoy: str = ""  # cheaper code a misdeclaration would use
    unusual: str = ""  # branded goods: origins the brand does not ship from
    fake_value: float = 0.0  # branded goods: typical value declared for a copy (USD)


P = Product
ORDINARY = (
    P("610910", 9, 0.18, "CN:5 BD:3 TR:1 IN:1",
      "Men's cotton T-shirt|Women's printed cotton T-shirt|Cotton T-shirt, short sleeve|Kids' cotton T-shirt", 6),
    P("611030", 18, 0.45, "CN:6 BD:2 TR:1 VN:1", "Polyester hoodie|Women's fleece sweatshirt|Men's zip hoodie, polyester", 4),
    P("620342", 22, 0.6, "CN:4 BD:3 TR:2 PK:2", "Men's denim jeans, cotton|Cotton jeans, slim fit|Men's cotton chino trousers", 4),
    P("620443", 20, 0.3, "CN:8 TR:1", "Women's polyester summer dress|Chiffon evening dress|Floral maxi dress, polyester", 5),
    P("620140", 35, 0.9, "CN:5 VN:3 BD:2", "Men's polyester windbreaker jacket|Nylon ski jacket|Men's padded winter jacket, polyester", 3),
    P("611595", 2, 0.05, "CN:5 TR:2 PK:2", "Cotton socks|Men's cotton crew socks|Kids' cotton socks", 3, unit="PR"),
    P("611241", 12, 0.15, "CN:9 TR:1", "Women's nylon swimsuit|Polyester bikini set", 2),
    P("611120", 8, 0.12, "CN:5 BD:3 IN:2", "Baby cotton romper|Baby bodysuit, cotton", 2),
    P("620520", 20, 0.25, "BD:4 IN:3 CN:2 TR:1", "Men's cotton shirt, long sleeve|Men's cotton business shirt", 2),
    P("640411", 30, 0.8, "CN:6 VN:3 ID:1", "Sports shoes, textile upper|Running sneakers, mesh upper|Canvas sneakers", 5, unit="PR"),
    P("640399", 45, 1.0, "CN:5 IN:3 VN:2", "Men's leather shoes|Leather ankle boots|Women's leather loafers", 3, unit="PR"),
    P("640299", 8, 0.4, "CN:9 VN:1", "Rubber slippers|EVA sandals|Plastic garden clogs", 2, unit="PR"),
    P("851713", 180, 0.2, "CN:7 IN:2 VN:1", "Smartphone 128 GB|Android smartphone, 6.5 inch|5G mobile phone", 3, decoy="950300"),
    P("851762", 35, 0.08, "CN:9 KR:1", "Smartwatch with heart-rate monitor|Fitness tracker band|GPS sports smartwatch", 3, decoy="911390"),
    P("850440", 6, 0.08, "CN:10", "USB-C phone charger 20 W|Wall charger adapter|Laptop power adapter 65 W", 5),
    P("850760", 18, 0.3, "CN:10", "Power bank 10000 mAh|Portable lithium-ion power bank", 3),
    P("854442", 3, 0.04, "CN:10", "USB-C charging cable, 1 m|HDMI cable, 2 m|Lightning to USB cable", 5),
    P("851830", 25, 0.15, "CN:8 VN:2",
      "Bluetooth wireless earbuds|Over-ear headphones|Wireless headset with microphone", 4, decoy="392690"),
    P("851822", 25, 0.5, "CN:10", "Portable Bluetooth speaker|Soundbar speaker", 2),
    P("847130", 450, 1.8, "CN:7 TW:3", "Laptop computer 15.6 inch|Tablet computer 10 inch|Notebook computer, 16 GB RAM", 1, decoy="847330"),
    P("847160", 15, 0.2, "CN:8 TW:2", "Wireless computer mouse|Mechanical keyboard, USB|Gaming mouse, RGB", 3),
    P("852351", 20, 0.02, "CN:5 TW:3 KR:2", "MicroSD memory card 128 GB|Portable SSD 1 TB|USB flash drive 64 GB", 2),
    P("852589", 70, 0.15, "CN:10", "Action camera 4K|WiFi security camera|Dashboard camera for car", 1, decoy="392690"),
    P("880622", 250, 0.9, "CN:10", "Camera drone with 4K gimbal|Foldable quadcopter drone", 0.6, decoy="950300"),
    P("880621", 40, 0.2, "CN:10", "Mini drone under 250 g|Indoor mini quadcopter", 0.6, decoy="950300"),
    P("950450", 280, 1.5, "CN:6 JP:4", "Handheld game console|Video game console 1 TB|Wireless game controller", 1, decoy="950300"),
    P("853952", 3, 0.06, "CN:10", "LED light bulb E27 9 W|LED bulbs, pack of 4|LED GU10 spotlight bulb", 3),
    P("940542", 20, 0.6, "CN:10", "LED desk lamp|LED strip lights 5 m|LED ceiling light", 3),
    P("851631", 25, 0.6, "CN:10", "Hair dryer 2000 W|Ionic hair dryer", 2),
    P("851632", 20, 0.4, "CN:10", "Hair straightener|Curling iron", 1),
    P("850980", 25, 0.2, "CN:10", "Electric toothbrush|Electric milk frother", 1),
    P("854143", 120, 12, "CN:10", "Solar panel 400 W, monocrystalline|Foldable solar panel 100 W", 0.3),
    P("330499", 12, 0.1, "KR:4 CN:3 US:2 JP:1", "Face moisturising cream 50 ml|Korean sheet masks, pack of 10|Vitamin C serum 30 ml", 4),
    P("330410", 8, 0.03, "CN:6 KR:4", "Matte lipstick|Lip gloss set", 2),
    P("330420", 9, 0.05, "CN:6 KR:4", "Waterproof mascara|Eyeshadow palette", 2),
    P("330430", 5, 0.05, "CN:10", "UV gel nail polish set|Nail polish, 6 colours", 2),
    P("330300", 40, 0.25, "AE:4 US:2 CN:2 TR:2",
      "Eau de parfum 100 ml|Perfume spray for women 50 ml|Men's eau de toilette", 2, decoy="330790"),
    P("330510", 8, 0.4, "CN:4 KR:3 TR:3", "Hair shampoo 500 ml|Argan oil shampoo", 1),
    P("670411", 30, 0.3, "CN:10", "Synthetic hair wig|Lace front wig, synthetic", 2),
    P("910211", 15, 0.1, "CN:8 HK:2", "Quartz wrist-watch, stainless steel|Men's analogue quartz wrist-watch", 3),
    P("910221", 180, 0.15, "CN:4 HK:2 JP:4", "Automatic mechanical wrist-watch|Men's automatic dive watch", 1, decoy="911390"),
    P("711719", 5, 0.03, "CN:6 IN:2 TR:2", "Fashion necklace, alloy|Gold-plated alloy earrings set|Stainless steel charm bracelet", 4),
    P("711311", 40, 0.02, "TH:4 IN:3 CN:2 TR:1", "Sterling silver 925 ring|Silver pendant necklace", 2, decoy="711719"),
    P("420222", 20, 0.5, "CN:10", "Women's PU leather handbag|Canvas tote bag", 3),
    P("420292", 20, 0.6, "CN:8 VN:2", "Laptop backpack, polyester|Travel backpack 40 l|Cosmetic bag, nylon", 3),
    P("420221", 80, 0.8, "CN:4 IN:4 TR:2", "Genuine leather handbag|Leather shoulder bag", 1, decoy="420222"),
    P("420231", 15, 0.1, "CN:6 IN:4", "Men's leather wallet|RFID leather card holder", 2),
    P("392690", 4, 0.04, "CN:10", "Silicone phone case|Shockproof phone case|Plastic cable organiser", 6),
    P("900410", 10, 0.05, "CN:10", "Polarised sunglasses|Sunglasses UV400", 2),
    P("490199", 15, 0.45, "US:4 GB:4 CN:2", "Paperback novel|Hardcover cookbook|Printed textbook", 3),
    P("090230", 10, 0.25, "CN:4 IN:3 LK:3", "Black tea, loose leaf 250 g|Assam black tea", 1, unit="KGM"),
    P("090121", 12, 0.5, "US:5 GB:5", "Roasted coffee beans 500 g|Specialty roasted coffee", 1, unit="KGM"),
    P("210690", 20, 0.2, "US:6 CN:2 GB:2", "Vitamin D3 supplement, 90 capsules|Collagen supplement capsules|Omega-3 fish oil capsules", 3),
    P("870830", 25, 1.5, "CN:7 TR:3", "Front brake pads set|Brake disc for passenger car", 1),
    P("870880", 30, 1.2, "CN:6 TR:2 JP:2", "Shock absorber for passenger car|Suspension control arm", 1),
    P("851220", 20, 0.5, "CN:10", "LED headlight bulbs for car|Car tail light assembly", 1),
    P("820559", 12, 0.4, "CN:7 TW:3", "Hand tool set|Stainless steel scraper|Caulking gun", 2),
    P("846721", 60, 1.8, "CN:10", "Cordless drill 18 V|Electric impact drill", 1, decoy="820559"),
    P("732393", 15, 0.6, "CN:6 IN:4", "Stainless steel cooking pot|Stainless steel water bottle|Stainless steel lunch box", 3),
    P("392410", 6, 0.2, "CN:10", "Plastic food storage containers|Silicone baking mould|Plastic kitchen utensils set", 3),
    P("821192", 20, 0.3, "CN:7 JP:3", "Chef's knife, stainless steel|Kitchen knife set", 2),
    P("821193", 15, 0.15, "CN:8 US:2", "Folding pocket knife|Tactical folding knife", 1),
    P("630221", 30, 1.5, "CN:4 IN:2 PK:2 TR:2", "Printed cotton bed linen set|Cotton duvet cover, printed", 1),
    P("630260", 10, 0.5, "TR:4 PK:3 IN:3", "Cotton bath towel|Terry cotton hand towels", 1),
    P("950300", 12, 0.4, "CN:10", "Plastic building blocks set|Plush toy|Remote control toy car|Doll with accessories", 6),
    P("950691", 20, 1.2, "CN:8 TW:2", "Yoga mat|Resistance bands set|Adjustable dumbbell", 2),
    P("871499", 20, 0.5, "CN:6 TW:4", "Bicycle pedals|Bicycle brake levers", 1),
    P("420100", 10, 0.2, "CN:10", "Dog harness|Nylon dog leash", 1),
    P("854340", 12, 0.05, "CN:10", "Disposable vape pen|Electronic cigarette kit", 2, decoy="392690"),
    P("240412", 6, 0.06, "CN:4 US:3 GB:3", "E-liquid with nicotine, 10 ml|Nicotine salt e-liquid", 1),
    P("660191", 8, 0.4, "CN:10", "Folding umbrella|Windproof telescopic umbrella", 1),
    P("700719", 3, 0.03, "CN:10", "Tempered glass screen protector|Tempered glass camera lens protector", 2),
)
MEDICAL = (
    P("300490", 15, 0.05, "IN:7 CN:2 TR:1",
      "Paracetamol 500 mg tablets|Sildenafil 100 mg tablets|Ivermectin 12 mg tablets|Modafinil 200 mg tablets|Tramadol 50 mg capsules", 0),
    P("300410", 12, 0.05, "IN:8 CN:2", "Amoxicillin 500 mg capsules|Ampicillin 250 mg capsules", 0),
    P("300439", 120, 0.05, "IN:5 CN:3 TR:2", "Semaglutide injection pens|Somatropin injection kit", 0),
    P("630790", 8, 0.3, "CN:10", "Surgical face masks, box of 50|FFP2 respirator masks", 0),
    P("401512", 10, 0.5, "CN:5 MY:5", "Nitrile examination gloves, box of 100|Latex medical gloves", 0, unit="PR"),
    P("382219", 25, 0.2, "CN:10", "COVID-19 antigen rapid test kits|Pregnancy test strips", 0),
    P("902519", 15, 0.1, "CN:10", "Infrared forehead thermometer|Digital clinical thermometer", 0),
)
BRANDED = (
    P("640411", 140, 0.8, "VN:5 ID:3 CN:2",
      "Nike Air Max running shoes|Adidas Ultraboost running shoes", 0.4, unit="PR", unusual="TR:5 HK:3 PK:2", fake_value=25),
    P("910221", 9000, 0.15, "CH:10",
      "Rolex Submariner automatic watch|Omega Seamaster automatic watch", 0.05, unusual="CN:6 HK:3 TR:1", fake_value=60),
    P("420221", 2000, 0.8, "FR:5 IT:3 ES:2",
      "Louis Vuitton monogram handbag|Gucci leather shoulder bag", 0.1, unusual="CN:7 TR:3", fake_value=45),
    P("851830", 250, 0.06, "CN:6 VN:4",
      "Apple AirPods Pro wireless earbuds|Sony WH-1000XM5 headphones", 0.5, unusual="HK:5 TR:3 AE:2", fake_value=20),
    P("420330", 400, 0.2, "IT:10", "Gucci leather belt|Hermes leather belt", 0.1, unusual="CN:6 TR:4", fake_value=15),
    P("900410", 160, 0.05, "IT:6 CN:4", "Ray-Ban Wayfarer sunglasses|Oakley sports sunglasses", 0.3, unusual="TR:6 HK:4", fake_value=8),
    P("330300", 130, 0.3, "FR:10",
      "Chanel No. 5 eau de parfum 100 ml|Dior Sauvage eau de toilette 100 ml", 0.3, unusual="CN:5 AE:3 TR:2", fake_value=12),
    P("851631", 450, 0.7, "MY:6 PH:4", "Dyson Supersonic hair dryer|Dyson Airwrap styler", 0.2, unusual="CN:7 TR:3", fake_value=40),
    P("620140", 1100, 1.4, "CA:10", "Canada Goose down parka|Moncler down jacket", 0.05, unusual="CN:8 TR:2", fake_value=70),
    P("711311", 90, 0.03, "TH:10",
      "Pandora silver charm bracelet|Tiffany silver heart tag necklace", 0.2, unusual="CN:8 TR:2", fake_value=10),
)
del P

VAGUE_TERMS = ("gift|parts|accessories|sample|various|general cargo|see invoice|goods|clothes|items|merchandise|spare parts"
               "|household goods|personal effects|consolidated")
PLACEHOLDER_NAMES = "N/A|unknown|private|xxx|NA|-|customer|test"


@dataclass(frozen=True)
class Submitter:
    name: str
    prefix: str
    share: float
    modes: str  # transport modes, weighted
    currencies: str  # weighted
    carriers: str
    platforms: str  # "" in the list = no platform given
    b2b: float = 0.04  # share of larger B2B consignments
    vague: float = 1.0  # bias of the vague_description problem
    placeholder: float = 1.0  # bias of the placeholder_party problem
    upper: bool = False  # writes descriptions in capitals
    gross_is_net: bool = False  # copies net mass into gross mass
    no_arrival: float = 0.0  # share without an expected arrival


MARKETS = "Marketly|Bazaro|Dragonfly Shop|Kiwimart|Shoplane|Dealnest|Craftory|"
SUBMITTERS = (
    Submitter("Parcelwave Express", "PWX", 0.20, "air:85 road:15", "USD:6 EUR:4", "Parcelwave Express", MARKETS),
    Submitter("Marketly", "MKT", 0.18, "air:5 post:4 road:1", "EUR:7 USD:3", "Skyline Couriers|Orbit Air Cargo|Nordpost", "Marketly"),
    Submitter("Bazaro", "BZR", 0.15, "air:5 post:5", "CNY:4 USD:5 EUR:1", "Bluecrate Delivery|Orbit Air Cargo", "Bazaro",
              vague=6.0, placeholder=5.0, gross_is_net=True),
    Submitter("Nordpost", "NPO", 0.12, "post:1", "EUR:5 USD:4 GBP:1", "Nordpost", MARKETS, upper=True, no_arrival=0.3),
    Submitter("Swiftlane Logistics", "SWL", 0.10, "air:7 road:3", "EUR:5 USD:5", "Swiftlane Logistics", MARKETS, b2b=0.25),
    Submitter("Dragonfly Shop", "DFS", 0.12, "air:7 post:3", "CNY:5 USD:5", "Orbit Air Cargo|Skyline Couriers", "Dragonfly Shop"),
    Submitter("Eurolink Freight", "ELF", 0.05, "road:4 sea:2 rail:2 air:2", "EUR:8 USD:2", "Eurolink Freight", "", b2b=0.6),
    Submitter("Kiwimart", "KWM", 0.08, "air:6 post:4", "GBP:4 EUR:4 USD:2", "Skyline Couriers|Nordpost", "Kiwimart"),
)
B2B_MODES = "road:4 air:3 sea:2 rail:1"
RATES = {"USD": 1.0, "EUR": 0.92, "CNY": 7.2, "GBP": 0.79}  # per USD
ARRIVAL_DAYS = {"air": (1, 5), "post": (5, 20), "road": (2, 8), "sea": (15, 20), "rail": (12, 20)}
TRANSIT = {  # transit country strings per mode, weighted; "-" = none given; none is a destination
    "air": "-:14 AE:2 QA:1 TR:1 KZ:1 AE|TR:1",
    "post": "-:18 AE:1 CH:1",
    "road": "-:6 RS|HU:1 BG|RO|HU:1 CH:1 RS|HR|SI:1",
    "sea": "-:4 SG:2 SG|LK:1 EG:1",
    "rail": "-:2 KZ|AZ|GE|TR:1 KZ|RU|BY:1",
}
FAR = "CN HK US IN VN KR JP TW TH AE"  # departures that cannot reach the EU by road
WAREHOUSES = "GB:5 TR:3 CH:2"  # where far sellers' stock is trucked from

DESTINATIONS = "DE:22 FR:15 IT:10 ES:10 NL:9 PL:8 BE:5 SE:4 AT:4 IE:3 PT:3 CZ:3 DK:2 FI:2"
SELLERS = "CN:50 HK:8 US:8 GB:6 TR:5 IN:5 VN:4 KR:4 JP:3 TW:3 CH:2 TH:2"  # consignor countries
DIASPORA = "TR:3 PL:2 AR:3 AF:2 IN:2 CN:2 VN:1 IT:1 ES:1 PT:1"  # cultures of consignees' names beside the local one
INDUSTRIES = "Trading|Technology|Electronics|Import & Export|Commerce|Supply|Industrial|Textiles|Home Goods|Digital|Global Sourcing|Crafts"


@dataclass(frozen=True)
class Locale:
    first: str
    last: str
    streets: str = ""
    cities: str = ""  # "postcode:city"
    forms: str = ""  # legal forms
    stems: str = ""  # company name stems
    number_first: bool = False  # "12 High Street, Leeds LS1 4AP" rather than "Hauptstraße 12, 10115 Berlin"
    city_prefix: bool = False  # company names start with the city


L = Locale
LOCALES = {
    "DE": L(
        first="Lukas|Anna|Jonas|Lea|Felix|Marie|Paul|Sophie|Maximilian|Hannah",
        last="Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Hoffmann|Schulz",
        streets="Hauptstraße|Bahnhofstraße|Gartenweg|Lindenallee|Schillerstraße|Goethestraße|Am Markt",
        cities="10115:Berlin|20095:Hamburg|80331:München|50667:Köln|60311:Frankfurt am Main|04109:Leipzig",
        forms="GmbH|GmbH & Co. KG|AG|UG", stems="Nordlicht|Alpenblick|Rheintal|Hansa|Elbwerk|Tannenhof",
    ),
    "FR": L(
        first="Lucas|Emma|Hugo|Léa|Louis|Chloé|Gabriel|Manon|Arthur|Camille",
        last="Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau",
        streets="rue de la République|avenue Victor Hugo|rue des Lilas|boulevard Voltaire|rue Pasteur|place de la Mairie",
        cities="75011:Paris|69002:Lyon|13001:Marseille|31000:Toulouse|33000:Bordeaux|59000:Lille", forms="SARL|SAS|SA",
        stems="Bel Horizon|Provençale|Atlantique|Lumière|Val de Loire|Mistral", number_first=True,
    ),
    "IT": L(
        first="Francesco|Giulia|Alessandro|Sofia|Lorenzo|Aurora|Matteo|Ginevra|Leonardo|Alice",
        last="Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco",
        streets="Via Roma|Via Garibaldi|Corso Italia|Via Mazzini|Via Dante|Piazza del Popolo",
        cities="00184:Roma|20121:Milano|80133:Napoli|10121:Torino|40121:Bologna|50122:Firenze", forms="S.r.l.|S.p.A.",
        stems="Sole Mio|Adriatica|Dolomiti|Toscana Import|Vesuvio|Laguna",
    ),
    "ES": L(
        first="Hugo|Lucía|Martín|Sofía|Mateo|Martina|Pablo|María|Daniel|Paula",
        last="García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Martín",
        streets="Calle Mayor|Calle de Alcalá|Avenida de la Constitución|Calle Real|Gran Vía|Calle del Sol",
        cities="28013:Madrid|08002:Barcelona|46002:Valencia|41001:Sevilla|50001:Zaragoza|29005:Málaga", forms="S.L.|S.A.",
        stems="Iberia Sol|Costa Brava|Meseta|Alhambra|Levante|Cantábrica",
    ),
    "NL": L(
        first="Daan|Emma|Sem|Julia|Lucas|Mila|Levi|Tess|Finn|Sophie",
        last="de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer",
        streets="Kerkstraat|Dorpsstraat|Stationsweg|Molenweg|Prinsengracht|Julianastraat",
        cities="1012 AB:Amsterdam|3011 AD:Rotterdam|2511 CV:Den Haag|3511 LN:Utrecht|5611 EM:Eindhoven", forms="B.V.|N.V.",
        stems="Oranje|Tulpenveld|Noordzee|Polderlicht|Delta",
    ),
    "PL": L(
        first="Jan|Zuzanna|Antoni|Julia|Franciszek|Maja|Jakub|Zofia|Aleksander|Hanna",
        last="Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński|Szymański|Woźniak",
        streets="ul. Marszałkowska|ul. Długa|ul. Polna|ul. Lipowa|ul. Ogrodowa|ul. Kościuszki",
        cities="00-001:Warszawa|30-001:Kraków|50-001:Wrocław|80-001:Gdańsk|60-001:Poznań|90-001:Łódź", forms="Sp. z o.o.|S.A.",
        stems="Bursztyn|Wisła|Tatry|Mazowsze|Bałtyk",
    ),
    "BE": L(
        first="Noah|Olivia|Arthur|Louise|Jules|Mila|Lucas|Elena|Louis|Alice",
        last="Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|Dubois",
        streets="Kerkstraat|Rue de la Station|Stationsstraat|Rue du Marché|Nieuwstraat",
        cities="1000:Brussel|2000:Antwerpen|9000:Gent|4000:Liège|8000:Brugge", forms="BV|SRL|NV",
        stems="Scheldeport|Ardennes|Brabant|Flandria",
    ),
    "SE": L(
        first="William|Alice|Liam|Maja|Noah|Elsa|Hugo|Astrid|Lucas|Vera",
        last="Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson|Svensson|Gustafsson",
        streets="Storgatan|Drottninggatan|Kungsgatan|Skolgatan|Parkvägen",
        cities="111 20:Stockholm|411 01:Göteborg|211 22:Malmö|753 20:Uppsala", forms="AB",
        stems="Nordstjärna|Fjällvind|Skärgård|Vasa",
    ),
    "AT": L(
        first="Paul|Anna|Jakob|Emma|Elias|Marie|Felix|Lena|David|Laura",
        last="Gruber|Huber|Bauer|Wagner|Pichler|Steiner|Moser|Mayer|Hofer|Leitner",
        streets="Hauptplatz|Mariahilfer Straße|Bahnhofstraße|Kirchengasse|Landstraße",
        cities="1010:Wien|8010:Graz|4020:Linz|5020:Salzburg|6020:Innsbruck", forms="GmbH|AG|KG",
        stems="Donautal|Alpenland|Wachau|Tirolia",
    ),
    "IE": L(
        first="Jack|Grace|Noah|Emily|James|Fiadh|Conor|Sophie|Darragh|Aoife",
        last="Murphy|Kelly|O'Sullivan|Walsh|Smith|O'Brien|Byrne|Ryan|O'Connor|O'Neill",
        streets="Main Street|Church Road|Patrick Street|Green Lane|O'Connell Street",
        cities="D02 X285:Dublin|T12 K8AF:Cork|H91 E2K3:Galway|V94 T9PX:Limerick", forms="Ltd|DAC",
        stems="Shamrock|Emerald Isle|Liffey|Atlantic Way", number_first=True,
    ),
    "PT": L(
        first="Francisco|Maria|Santiago|Leonor|Afonso|Matilde|Tomás|Beatriz|Duarte|Carolina",
        last="Silva|Santos|Ferreira|Pereira|Oliveira|Costa|Rodrigues|Martins|Jesus|Sousa",
        streets="Rua Augusta|Avenida da Liberdade|Rua do Carmo|Rua Direita|Rua de Santa Catarina",
        cities="1100-053:Lisboa|4000-069:Porto|3000-141:Coimbra|4700-035:Braga", forms="Lda|S.A.",
        stems="Lusitânia|Atlântico Sul|Douro|Tejo",
    ),
    "CZ": L(
        first="Jakub|Eliška|Jan|Tereza|Tomáš|Anna|Adam|Adéla|Matyáš|Natálie",
        last="Novák|Svoboda|Novotný|Dvořák|Černý|Procházka|Kučera|Veselý|Horák|Němec",
        streets="Národní|Husova|Masarykova|Nádražní|Palackého", cities="110 00:Praha|602 00:Brno|702 00:Ostrava|301 00:Plzeň",
        forms="s.r.o.|a.s.", stems="Vltava|Bohemia Trade|Šumava|Moravia",
    ),
    "DK": L(
        first="William|Emma|Noah|Ida|Oscar|Clara|Lucas|Freja|Carl|Alma",
        last="Nielsen|Jensen|Hansen|Pedersen|Andersen|Christensen|Larsen|Sørensen|Rasmussen|Jørgensen",
        streets="Vestergade|Østergade|Nørregade|Strandvejen|Algade", cities="1050:København|8000:Aarhus|5000:Odense|9000:Aalborg",
        forms="ApS|A/S", stems="Nordkyst|Havblik|Jylland",
    ),
    "FI": L(
        first="Eino|Aino|Väinö|Olivia|Leo|Helmi|Oliver|Sofia|Elias|Isla",
        last="Korhonen|Virtanen|Mäkinen|Nieminen|Mäkelä|Hämäläinen|Laine|Heikkinen|Koskinen|Järvinen",
        streets="Mannerheimintie|Hämeenkatu|Kauppakatu|Rantatie|Koulukatu",
        cities="00100:Helsinki|33100:Tampere|20100:Turku|90100:Oulu", forms="Oy|Oyj", stems="Revontuli|Saimaa|Pohjola",
    ),
    "CN": L(
        first="Wei|Fang|Jun|Li|Hao|Jing|Lei|Mei|Yang|Xin", last="Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou",
        streets="Keyuan Road|Shennan Avenue|Huaqiang North Road|Jiefang Road|Renmin Road|Zhongshan Road",
        cities="518057:Shenzhen|510000:Guangzhou|322000:Yiwu|315000:Ningbo|200000:Shanghai|361000:Xiamen",
        forms="Co., Ltd.|Co., Ltd|Company Limited",
        stems="Huarui|Xinda|Jiayuan|Hengtai|Ruixiang|Jinlong|Tianyi|Haoyu|Baosheng|Minghui|Yuanfeng|Kaixin|Shengda|Hongyuan|Fuxing",
        number_first=True, city_prefix=True,
    ),
    "HK": L(
        first="Ka Ming|Wing Yan|Chi Keung|Mei Ling|Tsz Hin|Hoi Yan", last="Chan|Wong|Lee|Cheung|Lau|Ng|Leung|Ho",
        streets="Nathan Road|Queen's Road Central|Des Voeux Road|Hennessy Road|Canton Road",
        cities=":Kowloon|:Hong Kong|:Kwun Tong|:Tsuen Wan", forms="Limited|Co., Limited|Company Limited",
        stems="Golden Harbour|Victoria Peak|Dragon Gate|Fortune Star|Pearl Delta|Kowloon Bay", number_first=True,
    ),
    "US": L(
        first="James|Olivia|Michael|Emma|David|Ava|Daniel|Mia|Jose|Aaliyah",
        last="Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez",
        streets="Main Street|Oak Avenue|Maple Drive|Sunset Boulevard|Lakeview Road|5th Avenue",
        cities="10001:New York NY|90012:Los Angeles CA|60601:Chicago IL|77002:Houston TX|98101:Seattle WA|33101:Miami FL",
        forms="LLC|Inc.|Corp.", stems="Liberty|Bluebird|Redwood|Evergreen|Lone Star|Hudson|Cascade", number_first=True,
    ),
    "GB": L(
        first="Oliver|Amelia|George|Isla|Harry|Ava|Noah|Mia|Muhammad|Freya",
        last="Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Patel|Wright",
        streets="High Street|Station Road|Church Lane|Victoria Road|Park Avenue|Mill Lane",
        cities="LS1 4AP:Leeds|M1 1AE:Manchester|B1 1AA:Birmingham|E1 6AN:London|BS1 4DJ:Bristol", forms="Ltd|Limited|PLC",
        stems="Albion|Thames Valley|Kingsway|Pennine|Brighton Bay|Oakridge", number_first=True,
    ),
    "TR": L(
        first="Yusuf|Zeynep|Eymen|Elif|Mustafa|Defne|Ömer|Asel|Emir|Eylül",
        last="Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Yıldırım|Öztürk|Aydın|Özdemir",
        streets="Atatürk Caddesi|İstiklal Caddesi|Cumhuriyet Caddesi|Bağdat Caddesi|Gazi Bulvarı",
        cities="34000:İstanbul|06000:Ankara|35000:İzmir|16000:Bursa|07000:Antalya", forms="Ltd. Şti.|A.Ş.",
        stems="Anadolu|Boğaziçi|Ege Tekstil|Kapadokya|Marmara",
    ),
    "IN": L(
        first="Aarav|Ananya|Vihaan|Diya|Arjun|Saanvi|Rohan|Priya|Aditya|Kavya",
        last="Sharma|Patel|Singh|Kumar|Gupta|Reddy|Iyer|Nair|Mehta|Joshi",
        streets="MG Road|Station Road|Nehru Street|Gandhi Nagar|Park Street",
        cities="400001:Mumbai|110001:New Delhi|560001:Bengaluru|600001:Chennai|500001:Hyderabad",
        forms="Pvt. Ltd.|Private Limited|Exports", stems="Ganga|Sunrise Impex|Shree Balaji|Lotus|Indus Valley|Himalaya Craft",
        number_first=True,
    ),
    "VN": L(
        first="Minh|Linh|Huy|Trang|Duc|Lan|Tuan|Mai|Nam|Thao", last="Nguyen|Tran|Le|Pham|Hoang|Phan|Vu|Dang|Bui|Do",
        streets="Nguyen Hue Street|Le Loi Street|Tran Hung Dao Street|Hai Ba Trung Street",
        cities="700000:Ho Chi Minh City|100000:Hanoi|550000:Da Nang|180000:Haiphong", forms="Co., Ltd|Joint Stock Company",
        stems="Saigon Star|Mekong|Hoa Sen|Ha Long", number_first=True,
    ),
    "KR": L(
        first="Min-jun|Seo-yeon|Ji-ho|Ha-eun|Do-yun|Ji-woo|Seo-jun|Su-ah", last="Kim|Lee|Park|Choi|Jung|Kang|Cho|Yoon",
        streets="Teheran-ro|Gangnam-daero|Sejong-daero|Haeundae-ro", cities="06236:Seoul|48060:Busan|21999:Incheon|34126:Daejeon",
        forms="Co., Ltd.|Inc.", stems="Hanbit|Saebyeok|Mirae|Daehan|Hwasung", number_first=True,
    ),
    "JP": L(
        first="Haruto|Himari|Sota|Yui|Yuto|Aoi|Riku|Sakura|Ren|Hina",
        last="Sato|Suzuki|Takahashi|Tanaka|Watanabe|Ito|Yamamoto|Nakamura|Kobayashi|Kato",
        streets="Chuo-dori|Meiji-dori|Omotesando|Sakura-dori", cities="100-0001:Tokyo|530-0001:Osaka|460-0008:Nagoya|812-0011:Fukuoka",
        forms="K.K.|Co., Ltd.", stems="Fujiyama|Sakura Trading|Kaze|Hikari|Tsubasa", number_first=True,
    ),
    "TW": L(
        first="Chia-hao|Shu-fen|Chih-ming|Ya-ting|Chun-chieh|Mei-hua", last="Chen|Lin|Huang|Chang|Lee|Wang|Wu|Liu",
        streets="Zhongxiao East Road|Xinyi Road|Minsheng Road|Zhongshan North Road",
        cities="110:Taipei|402:Taichung|800:Kaohsiung|300:Hsinchu", forms="Co., Ltd.|Corp.",
        stems="Formosa|Jade Mountain|Sun Moon|Taroko", number_first=True,
    ),
    "CH": L(
        first="Noah|Mia|Liam|Emma|Matteo|Sofia|Luca|Lina|Leon|Elena",
        last="Müller|Meier|Schmid|Keller|Weber|Huber|Schneider|Meyer|Steiner|Fischer",
        streets="Bahnhofstrasse|Hauptstrasse|Dorfstrasse|Seestrasse|Kirchweg",
        cities="8001:Zürich|1201:Genève|4051:Basel|3011:Bern|6003:Luzern", forms="AG|GmbH|SA",
        stems="Helvetia|Alpina|Matterhorn|Lémanic",
    ),
    "TH": L(
        first="Somchai|Malee|Anan|Siriporn|Niran|Ploy|Chaiwat|Kanya",
        last="Saetang|Srisuk|Wongsawat|Charoenkul|Boonmee|Thongdee|Kaewmanee",
        streets="Sukhumvit Road|Silom Road|Rama IV Road|Charoen Krung Road", cities="10110:Bangkok|50000:Chiang Mai|20150:Pattaya",
        forms="Co., Ltd.|Limited Partnership", stems="Siam Silver|Chao Phraya|Golden Elephant|Lanna", number_first=True,
    ),
    "AR": L("Mohamed|Fatima|Ahmed|Amina|Omar|Layla|Youssef|Nour|Karim|Salma",
            "Haddad|Mansour|Khalil|Nasser|Saleh|Farouk|Amrani|Benali|Hamdi|Toumi"),
    "AF": L("Kwame|Ama|Chinedu|Ngozi|Moussa|Aissatou|Kofi|Adaeze|Ibrahima|Fatou",
            "Mensah|Okafor|Diallo|Traoré|Owusu|Adeyemi|Ndiaye|Boateng|Eze|Camara"),
}
del L

OFFICES = {cc: tuple(f"{cc}00{k}00" for k in (47, 53, 81)) for cc in (part.split(":")[0] for part in DESTINATIONS.split())}

# Watch-list parts: persons are "first middle last"; "a/b" gives transliteration variants, the first canonical.
WATCH_PERSONS = {
    "RU": ("Aleksandr/Alexander|Dmitriy/Dmitry/Dmitri|Sergey/Sergei|Nikolay/Nikolai|Yevgeniy/Evgeny|Andrey/Andrei|Oleg|Viktor/Victor"
           "|Yuriy/Yuri|Mikhail",
           "Ivanovich|Sergeyevich/Sergeevich|Petrovich|Vladimirovich|Nikolayevich/Nikolaevich|Aleksandrovich/Alexandrovich",
           "Volkanov|Dragunov|Belousenko|Kharitonov/Haritonov|Zhuravlyov/Zhuravlev|Tsvetkov/Cvetkov|Shcherbakov/Sherbakov"
           "|Yegorov/Egorov|Kuzmichev|Lebedinsky/Lebedinskiy"),
    "BY": ("Aliaksandr/Alexander|Siarhei/Sergei|Uladzimir/Vladimir|Mikalai/Nikolai|Andrei/Andrey",
           "Ivanavich/Ivanovich|Piatrovich/Petrovich|Mikalaevich/Nikolaevich",
           "Kavalenka/Kovalenko|Lukashevich|Savitski/Savitsky|Navumenka/Naumenko"),
    "IR": ("Hossein/Hosein|Reza|Mahmoud/Mahmood|Gholamreza/Gholam-Reza|Javad|Mehdi/Mahdi|Mohammad/Mohammed",
           "Ali|Hassan/Hasan|Karim|Taghi/Taqi",
           "Tabrizian|Rezaeifar/Rezaei-Far|Ghorbanian|Kazemzadeh/Kazem-Zadeh|Jafarinejad/Jafari-Nejad|Shahrokhi"),
    "SY": ("Mohammed/Muhammad/Mohamed|Khalid/Khaled|Yusuf/Youssef/Yousef|Hussein/Husayn/Hussain|Omar/Umar|Ibrahim/Ebrahim",
           "Saleh/Salih|Hassan/Hasan|Mahmoud/Mahmud|Abdullah/Abdallah",
           "Al-Qadiri/Al Qadiri|Haddadin|Al-Khatib/Alkhatib|Shalhoub/Chalhoub|Nasrallah/Nasrullah|Barakzai"),
    "KP": ("Ri/Rhee|Pak/Park|Choe/Choi|Kim/Gim|Jon/Chon",
           "Chol/Cheol|Song/Seong|Myong/Myeong|Yong",
           "Su|Il|Ho|Nam|Hyok/Hyeok"),
    "VE": ("Carlos|José/Jose|Luis|Nicolás/Nicolas|Rafael",
           "Alberto|Enrique|Antonio|Ramón/Ramon",
           "Urdaneta|Quintero|Salcedo|Villanueva|Rivas-Mendoza"),
    "CN": ("Zhang/Chang|Li/Lee|Wang/Wong|Chen/Chan|Liu/Lau|Zhou/Chow",
           "Wei|Jian|Ming|Hong|Guo|Xiao",
           "Long|Feng|Bin|Hui|Qiang|Peng"),
}
WATCH_ORGS = {  # country -> legal forms
    "RU": "OOO|JSC|LLC", "BY": "OAO|LLC", "IR": "Co.|Company|PJSC", "AE": "FZE|FZCO|LLC", "HK": "Limited|Co., Limited",
    "CN": "Co., Ltd.", "TR": "Ltd. Şti.|A.Ş.", "SY": "LLC|Co.", "KG": "LLC|OsOO", "AM": "LLC|CJSC",
}
WATCH_STEMS = ("Orion|Baltic Star|Zenith|Crescent|Northwind|Polar Bear|Golden Falcon|Silk Road|Red Sea|Altai|Caspian|Black Pearl"
               "|Eastern Gate|Nova Terra|Ural|Amber Coast|Pamir|Tigris|Obsidian|Steppe Eagle|Volga|Sirius|Falcon Ridge|Arctic Fox")
WATCH_INDUSTRIES = ("Trading|Shipping|Logistics|Petrochemical|Technologies|Industrial Supply|Import Export|Electronics"
                    "|Aviation Services|Metals|Holding|Engineering")
LEGAL_VARIANTS = {  # legal form -> equivalent spellings
    "LLC": "Limited Liability Company|L.L.C.|Ltd", "OOO": "LLC|OOO.", "JSC": "Joint Stock Company|AO|OAO", "OAO": "JSC|OJSC",
    "Co.": "Company|Co", "Company": "Co.|Corp.", "PJSC": "Public Joint Stock Company|JSC", "FZE": "FZ-LLC|FZCO",
    "FZCO": "FZE|Free Zone Company", "Limited": "Ltd|Ltd.", "Co., Limited": "Company Limited|Co Ltd",
    "Co., Ltd.": "Company Limited|Co Ltd|Co., Limited",
    "Ltd. Şti.": "Ltd. Sti.|Limited", "A.Ş.": "AS|A.S.", "OsOO": "LLC|Ltd", "CJSC": "ZAO|JSC",
}
VESSEL_WORDS = ("Ocean|Sea|Star|Pacific|Amber|Grace|Fortune|Neptune|Coral|Horizon",
                "Spirit|Glory|Dawn|Pioneer|Venture|Queen|Wind|Pearl|Trader|Hope")
FLAGS = "PA|LR|KM|TG|CM|SL|MN"
LISTS = "sample-sanctions:6 sample-export-control:3 sample-fraud:1"
