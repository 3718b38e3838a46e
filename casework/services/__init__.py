"""Support that reaches people: providers, consent, support plans, referrals, notes, bulk intake.

One module per capability — ``providers``, ``consent``, ``support``, ``referrals``, ``notes`` —
each holding the only functions that change its records; ``imports/`` turns a handover list into
cases through ``casework.cases.operations.open_case``; ``spreadsheet_safety`` is the one place
that keeps spreadsheet formulas out of what we read and what we write.
"""
