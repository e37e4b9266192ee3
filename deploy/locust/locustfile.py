"""Load for the opscrew demo shop (apps/demo-shop), Locust 2.x.

Shaped like the OpenTelemetry demo's load generator: shoppers browse the home
page and products, fill a cart, look at it and sometimes check out. The host
is not set here: demo-controller passes it with each swarm
(``POST /swarm host=http://127.0.0.1:7100``, the frontend's scrape target),
or ``--host`` on the command line:

    locust -f deploy/locust/locustfile.py --host http://127.0.0.1:7100 \
        --headless -u 10 -r 2 -t 1m

Every user keeps its own session cookie (Locust's HTTP session), so its cart
is its own. Request names group product ids into one line of the stats.
"""

import random

from locust import HttpUser, between, task

# The ten products the shop's catalogue serves (the OpenTelemetry demo's ids).
PRODUCTS = [
    "OLJCESPC7Z",
    "66VCHSJNUP",
    "1YMWWN1N4O",
    "L9ECAV7KIM",
    "2ZYFJ3GM2N",
    "0PUK6V6EV0",
    "LS4PSXUNUM",
    "9SIQT8TOJO",
    "6E92ZMYYFZ",
    "HQTGWGPNH4",
]

CURRENCIES = ["USD", "EUR", "CAD", "JPY", "GBP", "CHF"]

# The demo load generator's shoppers, reduced to what checkout reads.
PEOPLE = [
    {
        "email": "larry_sergei@example.com",
        "address": {
            "street_address": "1600 Amphitheatre Parkway",
            "zip_code": "94043",
            "city": "Mountain View",
            "state": "CA",
            "country": "United States",
        },
        "card_number": "4432-8015-6152-0454",
    },
    {
        "email": "bill@example.com",
        "address": {
            "street_address": "One Microsoft Way",
            "zip_code": "98052",
            "city": "Redmond",
            "state": "WA",
            "country": "United States",
        },
        "card_number": "4532-4211-7434-1278",
    },
    {
        "email": "steve@example.com",
        "address": {
            "street_address": "One Apple Park Way",
            "zip_code": "95014",
            "city": "Cupertino",
            "state": "CA",
            "country": "United States",
        },
        "card_number": "4532-6178-4535-0008",
    },
]


class ShopUser(HttpUser):
    """One shopper: 0.5-2 s between actions, about 0.75 requests/s each."""

    wait_time = between(0.5, 2)

    @task(5)
    def home(self):
        self.client.get("/", params={"currency": random.choice(CURRENCIES)}, name="/")

    @task(10)
    def product(self):
        self.client.get("/product/" + random.choice(PRODUCTS), name="/product/[id]")

    @task(3)
    def add_to_cart(self):
        self.client.post(
            "/cart",
            json={"product_id": random.choice(PRODUCTS), "quantity": random.choice([1, 2, 3, 4, 5, 10])},
        )

    @task(2)
    def view_cart(self):
        self.client.get("/cart")

    @task(1)
    def checkout(self):
        # An empty cart cannot be checked out: put something in first, as a shopper would.
        self.client.post("/cart", json={"product_id": random.choice(PRODUCTS), "quantity": 1})
        person = random.choice(PEOPLE)
        self.client.post("/checkout", json=dict(person, currency=random.choice(CURRENCIES)))
