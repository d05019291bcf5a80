#!/usr/bin/env python3
"""Import employees from a CSV file, award training points, print a
leaderboard.

    python3 hr_import.py employees.csv hr.db

The CSV has the columns employee_id, name, department, trainings (courses
completed this quarter) and certificate (yes/no).  Each course earns 30
points and a certificate 200, on the WELFARE asset, which expires at the
end of the year after it was earned.  Every award carries an idempotency
key made of the employee, the quarter and the reason, so running the
import twice awards nothing twice.
"""

import csv
import sys
from datetime import datetime, timezone

import points

TRAINING_POINTS = 30
CERTIFICATE_POINTS = 200


def open_ledger(path):
    ledger = points.Ledger.open("sqlite:" + path)
    try:
        ledger.asset("WELFARE")
    except points.NotFound:
        ledger.create_asset("WELFARE", 0, points.EXPIRE_YEAR_END, 1)
    return ledger


def employee(ledger, row):
    """The employee's account, created or brought up to date."""
    try:
        account = ledger.find_account(row["employee_id"])
    except points.NotFound:
        account = ledger.create_account(row["employee_id"], row["name"])
    return ledger.update_account(account, name=row["name"],
                                 department=row["department"])


def award(ledger, account, quarter, row):
    """Training and certificate points for one employee; returns points
    awarded now (0 when this quarter's import already ran)."""
    awarded = 0
    courses = int(row["trainings"])
    if courses > 0:
        t = ledger.earn(account, courses * TRAINING_POINTS, "WELFARE",
                        "training: %d course(s) in %s" % (courses, quarter),
                        idempotency_key="%s/%s/training" % (account.external_id,
                                                            quarter))
        awarded += 0 if t.replayed else t.amount
    if row["certificate"].strip().lower() == "yes":
        t = ledger.earn(account, CERTIFICATE_POINTS, "WELFARE",
                        "professional certificate, " + quarter,
                        idempotency_key="%s/%s/certificate" % (
                            account.external_id, quarter))
        awarded += 0 if t.replayed else t.amount
    return awarded


def leaderboard(ledger, top=5):
    rows = []
    for account in ledger.accounts():
        if account.system:
            continue
        balance = ledger.balance(account, "WELFARE")
        rows.append((balance.available, account))
    rows.sort(key=lambda r: (-r[0], r[1].external_id))
    print("%-4s %-8s %-12s %-16s %6s" % ("rank", "id", "name", "department",
                                         "points"))
    for rank, (available, a) in enumerate(rows[:top], 1):
        print("%-4d %-8s %-12s %-16s %6d" % (rank, a.external_id, a.name,
                                             a.department, available))


def main(argv):
    if len(argv) != 3:
        print("usage: hr_import.py EMPLOYEES.csv LEDGER.db", file=sys.stderr)
        return 2
    now = datetime.now(timezone.utc)
    quarter = "%dQ%d" % (now.year, (now.month - 1) // 3 + 1)
    with open(argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open_ledger(argv[2]) as ledger:
        total = 0
        with ledger.batch():  # one transaction for the whole import
            for row in rows:
                total += award(ledger, employee(ledger, row), quarter, row)
        print("imported %d employees, awarded %d points for %s"
              % (len(rows), total, quarter))
        # running the same import again awards nothing
        with ledger.batch():
            again = sum(award(ledger, employee(ledger, row), quarter, row)
                        for row in rows)
        print("second run of the import awarded %d points" % again)
        leaderboard(ledger)
        end = datetime(now.year + 1, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
        due = sum(lot.amount for lot in ledger.lots(None, "WELFARE", end))
        print("points expiring by %s: %d" % (end.date(), due))
        report = ledger.verify()
        print("ledger verified: %d entries" % report.entries)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
