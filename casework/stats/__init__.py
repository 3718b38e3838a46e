"""Statistics for reports: counts per unit and period, with disclosure control.

Kept free of imports on purpose: ``casework.stats.suppression`` is pure Python and callers
import it by name, so importing the package never pulls in Flask or the database.
"""
