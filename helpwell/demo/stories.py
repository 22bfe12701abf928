"""What Brightleaf's customers write about, per category, and how the team answers.

Each story is one kind of request. The generator fills the {slots} and picks which parts a thread uses:
the opening, an agent's question and the customer's answer, internal notes, the fix, thanks.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    subjects: tuple[str, ...]
    opening: str
    ask: str
    answer: str
    fix: str
    note: str
    tags: tuple[str, ...] = ()


STORIES: dict[str, tuple[Story, ...]] = {
    "invoices": (
        Story(
            (
                "Invoice {invoice} is missing our VAT number",
                "VAT number not on invoice {invoice}",
                "Please add our VAT ID to invoice {invoice}",
            ),
            "Our finance department cannot book invoice {invoice} because our VAT number is missing. "
            "Could you reissue it with the number on it?",
            "Of course. Could you send me the VAT number exactly as it should appear, and the company name "
            "that belongs with it?",
            "Sure, it is NL859301446B01, registered to the name on our account.",
            "I have reissued invoice {invoice} with your VAT number; the corrected PDF is in your account "
            "under Billing → Invoices, and future invoices will include it automatically.",
            "VAT ID checked in VIES: valid. Reissued with the same invoice number as a corrected copy.",
            ("vat", "invoice-correction"),
        ),
        Story(
            (
                "Need a copy of invoices for {month}",
                "Where can I download invoices?",
                "Invoices for our accountant",
            ),
            "Our accountant needs copies of all our Brightleaf invoices for {month}. I cannot find a way "
            "to download them all at once.",
            "Happy to help. Do you need only the subscription invoices, or the hardware orders as well?",
            "Both please, everything we paid in {month}.",
            "I have put together a single PDF with all {count} invoices from {month} and attached it to your "
            "account. You can also download a ZIP of any month under Billing → Invoices → Export.",
            "Customer did not know about the export button; suggested the docs team makes it more visible.",
            ("export",),
        ),
        Story(
            ("Wrong company address on invoice {invoice}", "Invoice {invoice} shows our old address"),
            "We moved offices last month, but invoice {invoice} still shows our old address in {city}. "
            "Can this be corrected?",
            "Sorry about that. Could you confirm the new address, including the postcode?",
            "It is Keizersgracht 221, 1016 DV Amsterdam.",
            "Your billing address is updated and invoice {invoice} has been reissued with the new address. "
            "Nothing changes about the amount or the due date.",
            "Address was changed on the shipping profile only, not billing. Fixed both.",
            ("invoice-correction",),
        ),
    ),
    "refunds": (
        Story(
            (
                "Charged twice for order {order}",
                "Double charge on my card",
                "Two payments taken for one order",
            ),
            "I was charged {amount} twice for order {order}. My bank shows two identical payments on the same "
            "day. Please refund one of them.",
            "I am sorry about this. Could you tell me the last four digits of the card, so I can match both "
            "payments?",
            "The card ends in 4417.",
            "You were right: the payment provider captured the payment twice. I have refunded {amount}; "
            "it will be back on your card within 3 to 5 working days.",
            "Duplicate capture from the 3-D Secure retry bug (known, fixed in the checkout release last week).",
            ("double-charge", "refund"),
        ),
        Story(
            ("Refund for returned {device}", "Still waiting for my refund", "When will I get my money back?"),
            "I returned my {device} two weeks ago and the tracking says it was delivered to you, but I have not "
            "received my refund of {amount} yet.",
            "Thanks for your patience. Could you send me the return tracking number so I can find the parcel "
            "in our warehouse?",
            "Here it is: {tracking}.",
            "Found it: the warehouse had checked the {device} in but the refund was not released. I have issued "
            "the refund of {amount} today; you will see it within 3 to 5 working days.",
            "Warehouse check-in not linked to the RMA. Asked Hannah to raise it with the warehouse team.",
            ("refund", "returns"),
        ),
        Story(
            ("Refund for Plus after cancelling", "Cancelled Plus but was still charged"),
            "I cancelled Brightleaf Plus on the 2nd but was still charged {amount} for the next month. "
            "Could I get that back?",
            "Let me check. Did you cancel in the app or on the website?",
            "In the app, on my phone.",
            "The cancellation was recorded a few minutes after the renewal ran. I have refunded {amount} and "
            "confirmed that your subscription ends today; you will not be charged again.",
            "App cancellation timestamps are in UTC, renewal ran at 00:05 local. Edge case, refund approved.",
            ("subscription", "refund"),
        ),
    ),
    "payment-methods": (
        Story(
            ("Payment keeps failing", "Card declined at checkout", "Cannot pay for order {order}"),
            "Every time I try to pay for order {order} the card is declined, but my bank says there is nothing "
            "wrong with the card.",
            "Sorry for the trouble. Does the checkout show an error code, or just 'declined'?",
            "It says 'authentication failed' after the bank app asks me to confirm.",
            "The bank's confirmation timed out on our side. I have sent you a new payment link that stays valid "
            "for 48 hours; it worked for other customers with the same bank this week.",
            "Third report this week with this bank's 3-D Secure flow. Logged with the payments provider.",
            ("checkout", "3ds"),
        ),
        Story(
            (
                "Can we pay by bank transfer?",
                "Invoice payment instead of card",
                "Switch to paying by invoice",
            ),
            "We would like to pay for our {plan} subscription by bank transfer instead of by card. "
            "Is that possible?",
            "Yes, for business accounts it is. How many devices are on your account at the moment?",
            "Around {count}.",
            "I have switched your account to invoice payment with 30 days' terms. The next invoice will come "
            "by email with our bank details; the card on file will no longer be charged.",
            "Eligible (over 25 devices). Credit check not needed for this tier.",
            ("bank-transfer",),
        ),
        Story(
            ("Update the card on our account", "New company card"),
            "Our company card has been replaced. How do we update it before the next renewal?",
            "You can update it under Billing → Payment method. Would you like me to send a secure link instead?",
            "A link would be great, our finance person does not have a login.",
            "I have sent a secure link to your finance contact; it is valid for 7 days. Once the card is "
            "added, the old one is removed automatically.",
            "Sent card-update link, no card details by email please.",
            ("card-update",),
        ),
    ),
    "subscriptions": (
        Story(
            ("Upgrade to {plan}", "How do I upgrade our plan?", "Moving to {plan}"),
            "We want to move from Plus to {plan}. What happens to the price for the rest of this month?",
            "Good question. Would you like the upgrade to start today, or at your next renewal?",
            "Today, please.",
            "Done: you are on {plan} from today. You will only pay the difference for the remaining days, "
            "{amount}, on your next invoice.",
            "Pro-rated upgrade applied manually; the self-service upgrade still does not pro-rate.",
            ("upgrade",),
        ),
        Story(
            ("Cancel our subscription", "Please cancel Brightleaf Plus", "How do I cancel?"),
            "Please cancel our Brightleaf Plus subscription at the end of the current period. "
            "We are moving to a different building.",
            "I can do that. Would you like to keep the devices' history available for export before it ends?",
            "Yes, an export would be useful.",
            "Your subscription will end on the last day of this billing period and will not renew. "
            "I have emailed you a full export of your temperature history.",
            "Churn reason: moving. Tagged for the win-back list in three months.",
            ("cancellation",),
        ),
        Story(
            ("Student discount for Plus?", "Discount for a second home"),
            "Is there a discount if I have Plus for two homes? I just bought a {device} for our holiday flat.",
            "There is: the second home is half price. Is the holiday flat already in your Brightleaf account?",
            "Yes, I added it yesterday.",
            "I have applied the second-home discount, so the flat costs you half from the next renewal. "
            "You will see it on the next invoice.",
            "Second-home discount is manual for now. Applied coupon HOME2.",
            ("discount",),
        ),
    ),
    "delivery": (
        Story(
            ("Where is order {order}?", "Order {order} has not arrived", "Tracking not updating for {order}"),
            "I ordered a {device} ten days ago and the tracking for order {order} has not changed since it "
            "left the warehouse.",
            "Sorry for the wait. Could you confirm the delivery address for me, including the flat number?",
            "It is the address on the order, flat 3B.",
            "{carrier} had the parcel held at their depot because the flat number was missing from the label. "
            "They have the full address now and will deliver tomorrow.",
            "Label printed without address line 2. Reported to the warehouse (third this month).",
            ("late-delivery", "carrier"),
        ),
        Story(
            ("Delivery marked as delivered but not received", "Parcel says delivered, nothing here"),
            "The tracking for order {order} says delivered yesterday at 14:02, but nothing arrived and my "
            "neighbours have not seen it.",
            "I am sorry. Could you check whether there is a safe place or a parcel locker nearby that "
            "{carrier} sometimes uses?",
            "I checked the locker and asked the building manager. Nothing.",
            "I have opened a claim with {carrier} and sent a replacement {device} by express; it should arrive "
            "in two working days. No need to send anything back if the first parcel turns up.",
            "GPS on the delivery scan is 1.2 km from the address. Claim opened, replacement approved.",
            ("lost-parcel", "replacement"),
        ),
        Story(
            ("Can I pick a delivery day?", "Delivery while we are away"),
            "We are away next week. Can order {order} be delivered the week after instead?",
            "Yes. Which day suits you best?",
            "Tuesday would be perfect.",
            "I have asked {carrier} to hold the parcel and deliver on Tuesday. You will get a text with a time "
            "window the evening before.",
            "Carrier hold requested, reference in the order notes.",
            ("delivery-date",),
        ),
    ),
    "returns": (
        Story(
            ("Return a {device}", "How do I return my {device}?", "Return label needed"),
            "The {device} does not fit our old wiring, so I would like to return it. How do I do that?",
            "Sorry it did not work out. Is the {device} unused and in its box, or has it been installed?",
            "It was installed for a day, but everything is back in the box.",
            "That is fine. I have emailed you a prepaid {carrier} label; once we receive the {device}, the "
            "refund of {amount} follows within 5 working days.",
            "Wiring incompatibility (no C-wire). Suggested the power adapter next time before a return.",
            ("returns", "wiring"),
        ),
        Story(
            ("Return window for a gift", "Returning a present"),
            "I received a {device} as a present but already have one. Can I return it without the receipt?",
            "You can. Do you know the name or email address of the person who ordered it?",
            "It was ordered by my sister, Anna; I can ask her for the order number.",
            "No need, I found the order. I have sent you a return label; the refund goes as a gift card to "
            "you, so your sister will not be notified.",
            "Gift return; refunded as store credit per policy.",
            ("returns", "gift"),
        ),
    ),
    "damaged-items": (
        Story(
            ("{device} arrived with a cracked screen", "Damaged {device}", "Broken on arrival"),
            "The {device} I received today has a cracked display. The box looked fine from the outside.",
            "I am sorry. Could you send a photo of the display and of the box label?",
            "Attached both photos. The crack runs across the whole screen.",
            "Thank you for the photos. A replacement {device} is on its way by express, and I have emailed a "
            "return label for the damaged one.",
            "Packaging intact: likely a manufacturing fault. Batch number noted for quality.",
            ("damaged", "replacement"),
        ),
        Story(
            ("Light strip missing a connector", "Parts missing from my order"),
            "The light strip in order {order} came without the corner connectors shown on the box.",
            "Sorry about that. How many corners does the strip need to go around?",
            "Four corners in the kitchen.",
            "I have sent you a pack of six corner connectors, so you have two spare. They should arrive in 2 "
            "to 3 working days.",
            "Packing error at the warehouse; connectors are a separate SKU that was missed.",
            ("missing-parts",),
        ),
    ),
    "address-changes": (
        Story(
            ("Change delivery address for order {order}", "Wrong address on my order"),
            "I entered my old address for order {order}. Could you send it to my new flat in {city} instead?",
            "I can try. Could you send me the full new address?",
            "It is Hoofdstraat 14, 3512 AB {city}.",
            "The parcel had not left yet, so I changed the address before it shipped. You will get the new "
            "tracking number by email today.",
            "Caught before pick-up; address edited in the warehouse system.",
            ("address",),
        ),
        Story(
            ("Deliver to our office instead", "New delivery address for future orders"),
            "Please send all our future orders to our office instead of the site address. Is there a setting "
            "for this?",
            "There is. Should the office also become the billing address, or only the delivery address?",
            "Only delivery, billing stays as it is.",
            "I have set the office as your default delivery address; billing is unchanged. You can edit this "
            "any time under Account → Addresses.",
            "Set default shipping address on the org account.",
            ("address",),
        ),
    ),
    "setup": (
        Story(
            (
                "Thermostat will not connect to Wi-Fi",
                "{device} stuck on 'connecting'",
                "Setup fails at the Wi-Fi step",
            ),
            "The {device} finds my Wi-Fi network but the setup stops at 'connecting' every time. "
            "The router is in the next room.",
            "Let us sort this out. Is your router broadcasting a 2.4 GHz and a 5 GHz network with the same "
            "name?",
            "Yes, I think both have the same name.",
            "That is the cause: the {device} only speaks 2.4 GHz. In the app, choose 'Enter network manually' "
            "and add '-2G' to the name as shown in the guide I linked; it connects in under a minute.",
            "Band steering again. Asked Aiko to add this to the setup wizard troubleshooting step.",
            ("wifi", "setup"),
        ),
        Story(
            ("No C-wire for my thermostat", "Which wire goes where?", "Thermostat has no power"),
            "My old thermostat only has two wires. The {device} shows a low-power warning after installing.",
            "Thanks for the details. Could you send a photo of the wires behind the old thermostat?",
            "Photo attached. There are a red and a white wire.",
            "With two wires you need the Brightleaf power adapter. I have sent one free of charge with "
            "instructions; it takes five minutes to fit at the boiler.",
            "Two-wire system, no C-wire. Sent the adapter as goodwill.",
            ("wiring", "setup"),
        ),
        Story(
            ("Hub does not find my light strips", "Pairing light strips with the Hub"),
            "The Hub sees the thermostat but not the two light strips, even though they are two metres away.",
            "Could you tell me the firmware version shown under Hub → About?",
            "It says 3.8.1.",
            "Firmware 3.8.1 has a pairing bug with light strips. I have pushed 3.9.0 to your Hub; after it "
            "restarts, pairing works as described in the guide.",
            "Known bug in 3.8.1, fixed in 3.9.0. Pushed the update manually.",
            ("hub", "firmware"),
        ),
    ),
    "app-accounts": (
        Story(
            ("Cannot sign in to the app", "Password reset email never arrives", "Locked out of my account"),
            "I cannot sign in to the Brightleaf app and the password reset email never arrives.",
            "Sorry about that. Which email address did you use when you created the account?",
            "Probably my old work address; I no longer have access to it.",
            "I found the account under your old address, verified it with the order details and changed the "
            "sign-in email to this one. The reset email is on its way now.",
            "Identity verified via order number and device serial.",
            ("sign-in", "account"),
        ),
        Story(
            ("Add my partner to our home", "Share access with a family member"),
            "How can my partner control the thermostat from her phone too?",
            "You can invite her as a household member. Are you on iPhone or Android?",
            "I am on Android, she has an iPhone.",
            "In the app, go to Home → Members → Invite and enter her email. She gets a link to install the app "
            "and joins your home straight away; it works across iPhone and Android.",
            "How-to. Linked the household guide.",
            ("household",),
        ),
        Story(
            ("App crashes on {os}", "App closes when I open the schedule", "Schedule screen crashes"),
            "Since the last update the app closes as soon as I open the weekly schedule on {os}.",
            "Thanks for letting us know. Which app version do you have (Settings → About)?",
            "It says {app_version}.",
            "This crash is fixed in the version released today. Please update the app from the store; your "
            "schedule is safe and will be there after the update.",
            "Crash in the schedule view on {os}, fixed in the hotfix release.",
            ("app", "crash"),
        ),
    ),
    "integrations": (
        Story(
            (
                "Voice assistant cannot find my devices",
                "Alexa lost my thermostat",
                "Google Home integration stopped working",
            ),
            "The voice assistant says it cannot find my {device} any more, although it worked last week.",
            "Could you try unlinking and relinking the Brightleaf skill, and tell me if any device shows up?",
            "I relinked it, it only finds the Hub, not the {device}.",
            "The relink failed because the {device} had been renamed with an emoji. I have renamed it to "
            "'Living room' on our side; ask the assistant to discover devices and it will appear.",
            "Emoji in device names break discovery. Bug filed for the integrations team.",
            ("voice", "integration"),
        ),
        Story(
            ("Webhook deliveries failing", "API returns 429 for our integration", "Rate limit on the API"),
            "Our building management system gets HTTP 429 from the Brightleaf API since this morning. "
            "We poll {count} devices every minute.",
            "Thanks for the details. Could you send the client ID of your integration?",
            "It is bmx-harbour-prod.",
            "Polling {count} devices every minute goes over the rate limit. I have enabled webhooks for your "
            "client so you get changes pushed instead; the guide to switch over is in your developer portal.",
            "Heavy polling integration. Raised their limit temporarily until they move to webhooks.",
            ("api", "rate-limit"),
        ),
        Story(
            ("API token expired", "How do we rotate API tokens?"),
            "Our integration stopped working last night with 'invalid token'. Do API tokens expire?",
            "They expire after a year. Would you like a new token, or to set up a rotation so it does not "
            "happen again?",
            "A rotation would be best.",
            "I have issued a new token and turned on rotation reminders 30 days before expiry, sent to your "
            "technical contact.",
            "Token expiry reminders were off for legacy accounts.",
            ("api",),
        ),
    ),
    "bugs": (
        Story(
            (
                "Thermostat shows the wrong temperature",
                "Temperature reading 3 degrees too high",
                "{device} reading is off",
            ),
            "The {device} says 24 °C but a separate thermometer next to it says 21 °C. The heating stops too "
            "early because of it.",
            "Thank you. Is the {device} near a radiator, a lamp or in direct sunlight during the day?",
            "It is on an inside wall, no sun, nothing warm nearby.",
            "Your unit's sensor needs a calibration offset. I have applied −3 °C remotely and will check the "
            "readings tomorrow; if it drifts again we will replace it.",
            "Sensor drift on batch 22-14. Offset applied, quality team informed.",
            ("sensor", "bug"),
        ),
        Story(
            ("Schedule ignores daylight saving time", "Heating came on an hour late"),
            "Since the clocks changed, the heating comes on an hour late every morning.",
            "Sorry about that. Which time zone does the app show under Home → Settings?",
            "It says UTC, but we are in {city}.",
            "The home's time zone was set to UTC when it was created. I have set it to your local zone; the "
            "schedule now follows daylight saving time automatically.",
            "Homes created via the old web setup default to UTC. Bug filed with the app team.",
            ("schedule", "bug"),
        ),
        Story(
            ("Light strip flickers at low brightness", "Flickering at 10 %"),
            "The kitchen light strip flickers when dimmed below about 10 %. Above that it is fine.",
            "Could you check which power supply came with it (the label on the plug)?",
            "The label says 24V 2A.",
            "That power supply is from an early batch that flickers at low brightness. I have sent a "
            "replacement supply; please keep the old one until the new one works.",
            "Early PSU batch; replacement policy applies.",
            ("lights", "bug"),
        ),
    ),
}

# Customers nudging while they wait.
NUDGES = (
    "Any news on this? It is getting a bit urgent on our side.",
    "Just checking in: is there an update?",
    "Sorry to chase, but could someone look at this today?",
    "Is there anything else you need from me?",
)
# What a customer says when the fix works.
THANKS = (
    "That worked, thank you so much!",
    "Perfect, all sorted now. Thanks for the quick help.",
    "Brilliant, thank you. Much appreciated.",
    "Thanks, that solved it.",
)
# An agent's first answer when a request needs a colleague or a supplier.
ESCALATIONS = (
    "Thanks for your patience. I have passed this to our specialist team and will update you as soon as I "
    "hear back.",
    "I am checking this with our warehouse and will get back to you within a day.",
    "Thanks for the details. This needs our engineering team; I will keep you posted.",
)
HOLD_NOTES = (
    "On hold: waiting for the carrier's investigation (usually 3 to 5 working days).",
    "On hold until the supplier confirms the replacement stock date.",
    "Waiting for engineering to confirm the fix lands in the next firmware release.",
    "Parked until finance confirms the credit note.",
)
TRIAGE_NOTES = (
    "Looks like a repeat of last week's issue; checking the order history before replying.",
    "Premium account: please keep the response time tight on this one.",
    "Customer has written twice about this; worth a call if the next reply does not solve it.",
)

RATING_COMMENTS = {
    5: (
        "Fast, friendly and solved on the first try. Thank you!",
        "Really helpful, explained everything clearly.",
        "Best support experience I have had in a long time.",
        "Quick and kind. Exactly what I needed.",
        "Sorted within the hour, brilliant.",
        "Friendly and knew exactly what to do.",
    ),
    4: (
        "Good help, took a day longer than I hoped.",
        "Solved, thanks. The setup guide could be clearer though.",
        "Helpful answer, would have liked an update sooner.",
    ),
    3: (
        "Solved in the end, but I had to explain it twice.",
        "OK, but it took several emails.",
    ),
    2: (
        "It took a week and three emails to get a simple refund.",
        "The answer did not really fit my question at first.",
    ),
    1: (
        "Nobody replied for days. Not good enough.",
        "Still not happy with how long this took.",
    ),
}

DEVICES = ("Brightleaf Thermostat", "Brightleaf Hub", "Aura light strip", "Brightleaf radiator valve")
PLANS = ("Plus Family", "Plus Business", "Plus Pro")
CARRIERS = ("DHL", "PostNL", "DPD", "UPS")
CITIES = ("Utrecht", "Rotterdam", "Antwerp", "Manchester", "Lyon", "Leipzig", "Porto", "Dublin")
OPERATING_SYSTEMS = ("Android 14", "iOS 17", "iOS 18", "Android 15")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
