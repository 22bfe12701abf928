"""The demo's people: Brightleaf Home's support team and the customers who write to it.

Brightleaf Home is a fictional company that sells smart thermostats, light strips and the Brightleaf Hub,
with an optional "Brightleaf Plus" subscription. All addresses use the reserved .example domains.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    description: str
    categories: tuple[tuple[str, str, str], ...]  # (slug, name, description)


TEAMS = [
    DemoTeam(
        "billing",
        "Billing",
        "Invoices, refunds, payment methods and Brightleaf Plus subscriptions.",
        (
            ("invoices", "Invoices", "Copies, corrections and VAT details on invoices"),
            ("refunds", "Refunds", "Money back for returns, double charges and cancellations"),
            ("payment-methods", "Payment methods", "Cards, bank transfers and failed payments"),
            ("subscriptions", "Subscriptions", "Brightleaf Plus plans, upgrades and cancellations"),
        ),
    ),
    DemoTeam(
        "shipping",
        "Shipping",
        "Orders on their way, returns and anything that arrived damaged.",
        (
            ("delivery", "Delivery", "Where an order is and when it arrives"),
            ("returns", "Returns", "Sending something back within 30 days"),
            ("damaged-items", "Damaged items", "Parcels and devices that arrived broken"),
            ("address-changes", "Address changes", "Changing where an order goes"),
        ),
    ),
    DemoTeam(
        "technical",
        "Technical",
        "Setting up devices, the app, accounts and the developer API.",
        (
            ("setup", "Device setup", "Installing and connecting thermostats, light strips and the Hub"),
            ("app-accounts", "App and accounts", "Signing in, the mobile app and household members"),
            ("integrations", "Integrations and API", "Voice assistants, webhooks and the developer API"),
            ("bugs", "Bugs", "Something the product does that it should not"),
        ),
    ),
]


@dataclass(frozen=True)
class DemoAgent:
    username: str
    display_name: str
    role: str
    teams: tuple[str, ...]
    job_title: str
    bio: str
    interests: str
    languages: str
    time_zone: str
    avatar_colour: str
    workload: int  # relative share of the tickets this person handles


AGENTS = [
    DemoAgent(
        "priya", "Priya Raman", "admin", ("billing", "shipping", "technical"), "Head of Customer Support",
        "Priya built Brightleaf's support team from two people answering a shared inbox to the team it is "
        "today. She still answers tickets every Friday morning, because that is where she learns what to fix "
        "next.",
        "Long-distance running, sourdough, crime novels", "English, Tamil, Hindi", "Europe/London", "#7c3aed", 1,
    ),
    DemoAgent(
        "marcus", "Marcus Webb", "lead", ("billing",), "Billing team lead",
        "Marcus spent six years in accounting before he discovered he liked explaining invoices more than "
        "writing them. He leads the billing team and is the person to ask about VAT in 27 countries.",
        "Cycling, board games, restoring old radios", "English", "Europe/Dublin", "#0369a1", 3,
    ),
    DemoAgent(
        "hannah", "Hannah Okoye", "lead", ("shipping", "technical"), "Operations team lead",
        "Hannah leads shipping and technical support. Before Brightleaf she ran a warehouse, so she knows "
        "exactly where your parcel is stuck and how to get it moving again.",
        "Climbing, jollof rice cook-offs, podcasts about logistics", "English, Yoruba", "Europe/Amsterdam",
        "#b45309", 3,
    ),
    DemoAgent(
        "sofia", "Sofia Álvarez", "agent", ("billing",), "Billing specialist",
        "Sofia untangles double charges, refunds and subscription changes. Customers say her replies are the "
        "only invoices-related mail they enjoy reading.",
        "Flamenco guitar, hiking in the Picos de Europa, photography", "Spanish, English, Portuguese",
        "Europe/Madrid", "#db2777", 6,
    ),
    DemoAgent(
        "jonas", "Jonas Becker", "agent", ("shipping",), "Shipping and returns specialist",
        "Jonas makes sure that what customers order arrives, and that what they send back is refunded quickly. "
        "He has memorised the tracking formats of eleven carriers.",
        "Football, home brewing, model railways", "German, English", "Europe/Berlin", "#15803d", 6,
    ),
    DemoAgent(
        "aiko", "Aiko Tanaka", "agent", ("technical",), "Technical support engineer",
        "Aiko helps customers connect thermostats, light strips and the Hub, and works closely with the app "
        "team on the bugs customers find. She writes the setup guides you may already have read.",
        "Mechanical keyboards, bouldering, ramen", "Japanese, English", "Asia/Tokyo", "#0f766e", 5,
    ),
    DemoAgent(
        "mateo", "Mateo Rossi", "agent", ("billing", "shipping"), "Customer support specialist",
        "Mateo joined Brightleaf from a hotel front desk and still greets every customer as a guest. He works "
        "across billing and shipping, and he is the team's unofficial coffee expert.",
        "Espresso, Serie A, learning the accordion", "Italian, English, French", "Europe/Rome", "#c2410c", 5,
    ),
    DemoAgent(
        "grace", "Grace Mensah", "agent", ("technical",), "Technical support specialist",
        "Grace is the team's integrations expert: voice assistants, webhooks and the developer API. "
        "She likes a good log file more than a good novel, though she reads plenty of both.",
        "Hackathons, West African history, gardening", "English, French, Twi", "Africa/Accra", "#4338ca", 5,
    ),
]  # fmt: skip

# The logins `helpwell run` prints: one per role.
FEATURED_LOGINS = [("admin", "priya"), ("lead", "marcus"), ("agent", "sofia")]


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    domain: str
    tier: str
    notes: str
    people: tuple[tuple[str, str, str, str], ...]  # (name, local part, language, time zone)


ORGANISATIONS = [
    DemoOrganisation(
        "Harbourview Hotels",
        "harbourview.example",
        "premium",
        "Boutique hotel group, 14 properties. 2,300 thermostats on Brightleaf Plus Business. "
        "Facilities team writes in; invoices go to finance@.",
        (
            ("Olivia Bennett", "olivia.bennett", "en", "Europe/London"),
            ("James Carter", "james.carter", "en", "Europe/London"),
            ("Amelia Hughes", "amelia.hughes", "en", "Europe/London"),
            ("Lukas Schmidt", "lukas.schmidt", "de", "Europe/Berlin"),
            ("Chloé Martin", "chloe.martin", "fr", "Europe/Paris"),
            ("Noah Fischer", "noah.fischer", "de", "Europe/Vienna"),
            ("Isabella Costa", "isabella.costa", "pt", "Europe/Lisbon"),
            ("Daniel Murphy", "daniel.murphy", "en", "Europe/Dublin"),
            ("Emma Jansen", "emma.jansen", "nl", "Europe/Amsterdam"),
            ("Finance Team", "finance", "en", "Europe/London"),
            ("Ruby Clarke", "ruby.clarke", "en", "Europe/London"),
            ("Marco Bianchi", "marco.bianchi", "it", "Europe/Rome"),
            ("Sara Lindqvist", "sara.lindqvist", "en", "Europe/Stockholm"),
            ("Henry Walsh", "henry.walsh", "en", "Europe/Dublin"),
            ("Facilities Desk", "facilities", "en", "Europe/London"),
        ),
    ),
    DemoOrganisation(
        "Kestrel Property Management",
        "kestrel-pm.example",
        "standard",
        "Manages 600 rental flats in the Netherlands and Belgium; installs Brightleaf thermostats "
        "between tenants. Prefers replies in English.",
        (
            ("Pieter de Vries", "pieter.devries", "nl", "Europe/Amsterdam"),
            ("Sanne Bakker", "sanne.bakker", "nl", "Europe/Amsterdam"),
            ("Thomas Peeters", "thomas.peeters", "nl", "Europe/Brussels"),
            ("Lotte Visser", "lotte.visser", "nl", "Europe/Amsterdam"),
            ("Julien Dubois", "julien.dubois", "fr", "Europe/Brussels"),
            ("Femke Smit", "femke.smit", "nl", "Europe/Amsterdam"),
            ("Bram Janssens", "bram.janssens", "nl", "Europe/Brussels"),
            ("Anouk Mulder", "anouk.mulder", "nl", "Europe/Amsterdam"),
            ("Maintenance Team", "maintenance", "en", "Europe/Amsterdam"),
            ("Yusuf Demir", "yusuf.demir", "nl", "Europe/Amsterdam"),
            ("Eva Claes", "eva.claes", "nl", "Europe/Brussels"),
            ("Ruben Hendriks", "ruben.hendriks", "nl", "Europe/Amsterdam"),
        ),
    ),
]

# Customers who buy for their own home: no organisation.
INDIVIDUALS = [
    ("Maya Patel", "maya.patel@mail.example", "en", "Europe/London"),
    ("Carlos Mendes", "carlos.mendes@post.example", "pt", "Europe/Lisbon"),
    ("Ingrid Johansson", "ingrid.j@mail.example", "en", "Europe/Stockholm"),
    ("Ethan Brooks", "ethan.brooks@inbox.example", "en", "America/New_York"),
    ("Léa Moreau", "lea.moreau@post.example", "fr", "Europe/Paris"),
    ("Ahmed Hassan", "ahmed.hassan@mail.example", "en", "Africa/Cairo"),
    ("Zoe Williams", "zoe.w@inbox.example", "en", "Australia/Sydney"),
    ("Felix Wagner", "felix.wagner@post.example", "de", "Europe/Berlin"),
    ("Nina Kowalski", "nina.kowalski@mail.example", "en", "Europe/Warsaw"),
    ("Oscar Nilsson", "oscar.nilsson@inbox.example", "en", "Europe/Stockholm"),
    ("Giulia Ricci", "giulia.ricci@post.example", "it", "Europe/Rome"),
    ("Samuel Adeyemi", "samuel.adeyemi@mail.example", "en", "Africa/Lagos"),
    ("Hana Suzuki", "hana.suzuki@inbox.example", "en", "Asia/Tokyo"),
    ("Lucía Fernández", "lucia.fernandez@post.example", "es", "Europe/Madrid"),
]
