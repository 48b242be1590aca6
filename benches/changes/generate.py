#!/usr/bin/env python3
"""A realistic change file for examples/customer-success, to measure a replay's time and
memory: teammates, accounts and their contacts first, then a year of field updates and
events (logins, feature use, tickets, NPS, meetings), in time order, the same on every run.

    python3 benches/changes/generate.py 500000 > /tmp/changes.jsonl
    /usr/bin/time -v play replay examples/customer-success --changes /tmp/changes.jsonl > /dev/null

Accounts are a fiftieth of the lines (10,000 for 500,000), each with three contacts.
"""

import json
import random
import sys
from datetime import datetime, timedelta, timezone

TIERS = ["Smb", "MidMarket", "Enterprise"]
STAGES = ["Onboarding", "Adoption", "Renewal"]
FEATURES = ["reports", "dashboards", "api", "exports", "alerts", "sso"]
SEVERITIES = ["Low", "Medium", "High", "Critical"]


def main():
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    rng = random.Random(7)
    out = sys.stdout
    clock = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    written = 0

    def emit(change):
        nonlocal written
        change["at"] = clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps(change, separators=(",", ":")))
        out.write("\n")
        written += 1

    users = [f"csm{i}@example.com" for i in range(40)]
    for u in users:
        emit({"change": "upsert", "record": "User", "id": u, "fields": {"email": u, "name": u.split("@")[0]}})
    accounts = max(1, lines // 50)
    for a in range(accounts):
        renewal = (clock + timedelta(days=rng.randint(20, 400))).strftime("%Y-%m-%d")
        emit({"change": "upsert", "record": "Account", "id": f"a{a}", "fields": {
            "name": f"Account {a}", "tier": rng.choice(TIERS), "arr": rng.randint(5, 500) * 1000,
            "stage": rng.choice(STAGES), "health": rng.randint(30, 95), "owner": rng.choice(users),
            "csm": rng.choice(users), "weekly_active_users": rng.randint(1, 300), "tags": [],
            "renewal_date": renewal}})
        for c in range(3):
            emit({"change": "upsert", "record": "Contact", "id": f"a{a}c{c}", "fields": {
                "email": f"c{c}@a{a}.example", "first_name": f"Contact{c}", "account": f"a{a}",
                "opted_out": False, "role": "Champion" if c == 0 else "EndUser"}})
    # The rest: a year of activity, about a minute apart.
    rest = max(0, lines - written)
    step = timedelta(seconds=max(1, 365 * 86_400 // max(1, rest)))
    while written < lines:
        clock += step
        a = rng.randrange(accounts)
        roll = rng.random()
        if roll < 0.45:
            emit({"change": "event", "event": "Login", "subject": f"a{a}c{rng.randrange(3)}", "fields": {}})
        elif roll < 0.65:
            emit({"change": "event", "event": "FeatureUsed", "subject": f"a{a}c{rng.randrange(3)}",
                  "fields": {"feature": rng.choice(FEATURES)}})
        elif roll < 0.70:
            emit({"change": "event", "event": "TicketOpened", "subject": f"a{a}",
                  "fields": {"severity": rng.choice(SEVERITIES), "subject": "Something broke"}})
        elif roll < 0.72:
            emit({"change": "event", "event": "NpsSubmitted", "subject": f"a{a}c{rng.randrange(3)}",
                  "fields": {"score": rng.randint(0, 10)}})
        elif roll < 0.88:
            emit({"change": "upsert", "record": "Account", "id": f"a{a}",
                  "fields": {"health": rng.randint(20, 95), "weekly_active_users": rng.randint(1, 300)}})
        elif roll < 0.97:
            emit({"change": "upsert", "record": "Contact", "id": f"a{a}c{rng.randrange(3)}",
                  "fields": {"title": rng.choice(["VP", "Director", "Manager", "Engineer"])}})
        else:
            emit({"change": "upsert", "record": "Account", "id": f"a{a}",
                  "fields": {"stage": rng.choice(STAGES)}})


if __name__ == "__main__":
    main()
