"""The guidelines Helpwell ships with: a team starts from these and a lead edits them."""

DEFAULT_GLOSSARY: dict[str, str] = {
    "RMA": "return number",
    "L1": "our support team",
    "L2": "our specialist team",
    "SKU": "product code",
    "ETA": "expected delivery date",
    "SLA": "the response time we promise",
    "PO": "purchase order",
    "KB article": "help article",
    "backend": "our system",
    "provisioning": "setting up",
    "deprecated": "no longer supported",
    "propagate": "take effect",
    "hotfix": "quick fix",
    "whitelist": "allow list",
    "escalated": "passed to a specialist",
}

DEFAULT_TARGET_GRADE = 9.0
DEFAULT_MIN_WORDS = 6
DEFAULT_MAX_WORDS = 300

DEFAULT_GUIDELINES = """\
# How we write to customers

We answer the way we would want to be answered: warmly, plainly and honestly. These guidelines are here to help, not to script you. Your own voice is welcome.

## Every reply
- **Greet the customer by name** and **thank them**: for writing, for their patience, for the details.
- **Acknowledge feelings first.** When someone is upset, say you understand before you solve.
- **Never blame.** Skip "as I already said" and "you should have"; say what happens next instead.
- **Plain words.** Use the glossary's everyday words instead of our internal terms.
- **Short and readable.** Aim for reading grade 9 or lower; put the answer first.
- **No shouting.** No capitals for emphasis, no strings of exclamation marks.
- **Promise only what we can keep.** Check the ticket's response time and any delay notice.
- **Keep secrets secret.** Never send card numbers, passwords or security codes.
- **Their language.** Reply in the language the customer writes in.
- **Sign with your own name**, so they know who helped.

## Response times
The first answer arrives within the time the ticket's priority promises. If you need longer, say when you will be back, and be back then.

## Respect, both ways
We model the respect we ask for. Frustration is not abuse: an angry customer deserves patience. Abuse (insults, threats, slurs, harassment) is different: you never have to take it. Your lead will take the ticket over, and our code of conduct reply says so politely.
"""

DEFAULT_CODE_OF_CONDUCT = """\
# Our code of conduct

Our support team is made of people who want to help you. We promise to treat you with respect, patience and honesty, and we ask the same of you.

## What you can expect from us
- A named person who reads what you wrote and answers it.
- Plain, honest answers, including when the answer is "no" or "not yet".
- Respect for your time, your data and your privacy.

## What we ask of you
- Tell us what went wrong, as strongly as you feel it. Frustration is welcome; we will listen.
- Please don't insult, threaten or harass our staff, or use slurs about anyone.

## If that line is crossed
A team lead will take over the conversation. We may pause replies until the conversation is respectful again, and in serious cases (threats of violence) we may end the service or contact the police. We will always tell you why.
"""

DEFAULT_CONDUCT_REPLY = """\
Hi {customer},

I want to help sort this out, and I will. I'm {agent}, and I'm looking after your request.

Some of what was written in your last message crossed the line of our code of conduct, which asks everyone to talk to our team without insults or threats. You're welcome to tell us exactly how frustrated you are; we'll listen. Our code of conduct is here: {conduct_url}

Here is where things stand with your request, and what happens next:

{agent}
"""
