"""Finnish business IDs (Y-tunnus) as Pupesoft's customer maintenance checks and stores them.

Pupesoft (inc/asiakastarkista.inc with inc/tarkistaytunnus.inc) keeps only the digits of the
typed ytunnus, makes them exactly eight characters (zeros in front of a short one, a long one
cut after eight: PHP's sprintf("%08.8s")) and checks the last digit: the first seven weighted
7, 9, 10, 5, 8, 4, 2, the sum modulo 11, then 11 minus that unless it is 0. A valid ID is
stored in that form (`1234567-1` is stored `12345671`), an invalid one is refused. It does so
for customers in Finland (maa FI) that are not prospects (laji R) or private persons (laji H),
unless the company's parameter ytunnus_tarkistukset says not to ('T' or 'E').
"""

from __future__ import annotations

import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
CHECKED_WITH = ("", "A")  # yhtion_parametrit.ytunnus_tarkistukset values that check customers
NOT_CHECKED_KINDS = ("R", "H")  # prospects and private persons


def is_checked(country: str, kind: str, company_setting: str) -> bool:
    """Whether Pupesoft checks (and reformats) the business ID of this customer."""
    return (
        (country or "").strip().upper() == "FI"
        and (kind or "") not in NOT_CHECKED_KINDS
        and (company_setting or "").strip() in CHECKED_WITH
    )


def pupesoft_form(value: str) -> str:
    """The ID as Pupesoft stores a checked one: its digits, exactly eight of them."""
    digits = re.sub(r"[^0-9]", "", value or "")
    return digits[:8].rjust(8, "0")


def is_valid(value: str) -> bool:
    """Whether Pupesoft accepts `value` as a Finnish business ID (its check digit is right)."""
    digits = pupesoft_form(value)
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return str(check) == digits[-1]
