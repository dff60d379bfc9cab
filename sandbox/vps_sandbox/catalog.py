"""Static catalog data of both providers: plans, locations, operating systems, coins, add-ons."""

from decimal import Decimal

VPSCRYPTO_PLANS = [
    {"slug": "scout", "name": "Scout", "vcpu": 1, "ram_gb": 2, "disk_gb": 40, "bandwidth_tb": 2,
     "price_monthly_usd": 7.0, "price_annual_usd": 70.0},
    {"slug": "hunter", "name": "Hunter", "vcpu": 2, "ram_gb": 4, "disk_gb": 80, "bandwidth_tb": 4,
     "price_monthly_usd": 14.0, "price_annual_usd": 140.0},
    {"slug": "ranger", "name": "Ranger", "vcpu": 4, "ram_gb": 8, "disk_gb": 160, "bandwidth_tb": 6,
     "price_monthly_usd": 28.0, "price_annual_usd": 280.0},
    {"slug": "warden", "name": "Warden", "vcpu": 6, "ram_gb": 16, "disk_gb": 320, "bandwidth_tb": 8,
     "price_monthly_usd": 52.0, "price_annual_usd": 520.0},
    {"slug": "titan", "name": "Titan", "vcpu": 8, "ram_gb": 32, "disk_gb": 640, "bandwidth_tb": 10,
     "price_monthly_usd": 96.0, "price_annual_usd": 960.0},
]

VPSCRYPTO_LOCATIONS = [
    {"slug": "nl", "name": "Netherlands", "city": "Amsterdam"},
    {"slug": "is", "name": "Iceland", "city": "Reykjavik"},
    {"slug": "ch", "name": "Switzerland", "city": "Zurich"},
    {"slug": "ro", "name": "Romania", "city": "Bucharest"},
    {"slug": "md", "name": "Moldova", "city": "Chisinau"},
    {"slug": "se", "name": "Sweden", "city": "Stockholm"},
    {"slug": "lu", "name": "Luxembourg", "city": "Luxembourg"},
    {"slug": "pa", "name": "Panama", "city": "Panama City"},
]

VPSCRYPTO_OS = [
    {"slug": "debian-13", "name": "Debian 13", "family": "debian"},
    {"slug": "debian-12", "name": "Debian 12", "family": "debian"},
    {"slug": "ubuntu-24.04", "name": "Ubuntu 24.04", "family": "ubuntu"},
    {"slug": "ubuntu-22.04", "name": "Ubuntu 22.04", "family": "ubuntu"},
    {"slug": "almalinux-9", "name": "AlmaLinux 9", "family": "almalinux"},
    {"slug": "rocky-9", "name": "Rocky Linux 9", "family": "rocky"},
]

VPSCRYPTO_CYCLES = ["monthly", "annual"]

VPSCRYPTO_COINS = [
    {"code": "BTC", "name": "Bitcoin", "network": "bitcoin"},
    {"code": "XMR", "name": "Monero", "network": "monero"},
    {"code": "ETH", "name": "Ether", "network": "ethereum"},
    {"code": "LTC", "name": "Litecoin", "network": "litecoin"},
    {"code": "USDTTRC", "name": "Tether (TRC-20)", "network": "tron"},
    {"code": "USDT", "name": "Tether (ERC-20)", "network": "ethereum"},
    {"code": "USDCBASE", "name": "USDC on Base", "network": "base", "x402": True},
]

X402_COIN = "USDCBASE"
TOPUP_MIN_USD = 25
TOPUP_MAX_USD = 2000

# Fixed exchange rates: the sandbox only needs plausible deposit amounts.
COIN_USD_RATES = {
    "BTC": Decimal("90000"), "XMR": Decimal("150"), "ETH": Decimal("3000"),
    "LTC": Decimal("80"), "USDTTRC": Decimal("1"), "USDT": Decimal("1"),
}


def vpscrypto_catalog():
    """The body of VPSCrypto's GET /catalog."""
    return {
        "plans": [dict(plan) for plan in VPSCRYPTO_PLANS],
        "locations": [dict(location) for location in VPSCRYPTO_LOCATIONS],
        "os": [dict(os_entry) for os_entry in VPSCRYPTO_OS],
        "cycles": list(VPSCRYPTO_CYCLES),
        "coins": [dict(coin) for coin in VPSCRYPTO_COINS],
        "topup": {"min_usd": TOPUP_MIN_USD, "max_usd": TOPUP_MAX_USD},
    }


def find_vpscrypto_plan(value):
    """The plan whose slug or display name (case-insensitive) is value, else None."""
    wanted = str(value).strip().lower()
    for plan in VPSCRYPTO_PLANS:
        if wanted in (plan["slug"], plan["name"].lower()):
            return plan
    return None


OTWA_REGIONS = [
    {"slug": "tr-ist-01", "name": "Istanbul, Turkey", "code": "OTWA IST"},
    {"slug": "de-fra-01", "name": "Frankfurt, Germany", "code": "OTWA FRA"},
    {"slug": "nl-ams-01", "name": "Amsterdam, Netherlands", "code": "OTWA AMS"},
    {"slug": "us-nyc-01", "name": "New York, United States", "code": "OTWA NYC"},
]

OTWA_OS_TEMPLATES = [
    {"id": "ubuntu-24.04", "family": "Ubuntu", "label": "Ubuntu 24.04 LTS", "icon": "ubuntu", "color": "#E95420"},
    {"id": "ubuntu-22.04", "family": "Ubuntu", "label": "Ubuntu 22.04 LTS", "icon": "ubuntu", "color": "#E95420"},
    {"id": "debian-13", "family": "Debian", "label": "Debian 13 (Trixie)", "icon": "debian", "color": "#A81D33"},
    {"id": "debian-12", "family": "Debian", "label": "Debian 12 (Bookworm)", "icon": "debian", "color": "#A81D33"},
    {"id": "almalinux-10.1", "family": "AlmaLinux", "label": "AlmaLinux 10.1", "icon": "almalinux", "color": "#0F4266"},
    {"id": "rocky-9", "family": "Rocky", "label": "Rocky Linux 9", "icon": None, "color": None},
]

# One add-on set per product; ids are fixed so tests and docs can name them.
_ADDON_KINDS = [
    ("extra-ip", "1 Additional IP", "One extra IPv4 address routed to the server", 4, 1),
    ("extra-ip", "8 Additional IPs", "Eight extra IPv4 addresses routed to the server", 32, 8),
    ("ip-class", "IPv4 /29 Class", "A routed /29 block", 48, 8),
    ("backup", "Daily Backups", "Nightly snapshots kept for 7 days", 5, 0),
]

_OTWA_PRODUCT_ROWS = [
    # id, name, vcpu, ramMb, diskGb, bandwidthGb, monthlyPrice, add-on id stem
    ("0b6f3c1e-3f7a-4c55-9d52-6a1f2f0c1a01", "Cloud S", 1, 2048, 25, 1000, "6.00", "vs"),
    ("1c7a4d2f-4a8b-4d66-8e63-7b2a3a1d2b02", "Cloud M", 2, 4096, 50, 2000, "10.00", "vp"),
    ("2d8b5e3a-5b9c-4e77-9f74-8c3b4b2e3c03", "Cloud L", 4, 8192, 100, 3000, "20.00", "vl"),
    ("3e9c6f4b-6cad-4f88-a085-9d4c5c3f4d04", "Cloud XL", 8, 16384, 200, 5000, "40.00", "vx"),
    ("4fad7a5c-7dbe-4a99-b196-ae5d6d4a5e05", "Cloud XXL", 16, 32768, 400, 10000, "80.00", "vz"),
]


def _addons_for(stem):
    suffixes = ["k7wjf5", "k8qnr2", "c3tbm9", "b4dkx6"]
    return [
        {"id": stem + suffix, "type": kind, "name": name,
         "description": description, "price": price, "ip_count": ip_count}
        for (kind, name, description, price, ip_count), suffix in zip(_ADDON_KINDS, suffixes)
    ]


OTWA_PRODUCTS = [
    {"id": row[0], "name": row[1], "vcpu": row[2], "ramMb": row[3], "diskGb": row[4], "bandwidthGb": row[5],
     "monthlyPrice": row[6], "region": OTWA_REGIONS[0]["code"], "addons": _addons_for(row[7])}
    for row in _OTWA_PRODUCT_ROWS
]


def otwa_product_public(product):
    """A Product as GET /products shows it (without the sandbox's add-on table)."""
    return {key: value for key, value in product.items() if key != "addons"}


def find_otwa_product(value):
    """The product whose id or name (case-insensitive) is value, else None."""
    wanted = str(value).strip().lower()
    for product in OTWA_PRODUCTS:
        if wanted in (product["id"], product["name"].lower()):
            return product
    return None


def find_otwa_region(slug):
    """The region with this slug, else None."""
    return next((region for region in OTWA_REGIONS if region["slug"] == slug), None)


def find_otwa_template(template_id):
    """The OS template with this id, else None."""
    return next((template for template in OTWA_OS_TEMPLATES if template["id"] == template_id), None)
