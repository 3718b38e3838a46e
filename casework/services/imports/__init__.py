"""Bulk intake of handover lists (a rehab centre's discharge list, a prison's release notices, a
border-guard handover) into ``identified`` cases, through the same ``open_case`` as one by one.

``reading`` turns an upload into rows safely (size, zip bomb, encoding), ``columns`` maps
Vietnamese or English headers and cells to the case body, ``intake`` runs the dry run or the
all-or-nothing commit and builds the per-row report, ``report`` writes it as CSV or XLSX.
"""
