"""PostgreSQL row-level security policies on the tables that hold rows about people.

The application scopes every case query (``casework.access.scoping``); these policies are the
database's own copy of that rule, so a query that forgets the scope — a new endpoint, a lazy
load, a report written in a hurry — still returns only rows the caller's units may see. They
read transaction-local settings that ``casework.access.row_security`` writes at the start of
every transaction (``set_config(…, true)``):

``casework.context``
    ``user`` (a request of a user holding a case role), ``statistics`` (a report's computation),
    ``system`` (a command line job, with ``casework.reason`` naming it) — or nothing, and then
    no row at all is visible or writable.
``casework.unit_paths``, ``casework.unit_ids``
    the unit path prefixes of the scope, one per line (``*``: every unit, statistics only), and
    the ids of the units under them, worked out when the context is applied.
``casework.admitted_cases``, ``casework.lookup_people``
    case ids and person ids a transaction is admitted to beyond its units (comma-separated):
    a receiving unit deciding a transfer, an identity lookup's candidates.
``casework.user_id``
    a user context's user: the recipient whose notifications it reads (``reach="recipient"``).
``casework.lookup_national_id_bi``, ``casework.lookup_phone_bi``
    the blind-index buckets an identity lookup may read people from (comma-separated).

What each context reaches:

============== ====================================== ======================================
context        reads                                  writes
============== ====================================== ======================================
(none)         nothing                                nothing
``user``       rows of cases under its unit paths     rows of cases under its unit paths
               (and cases offered to them in a        (and admitted cases); new people
               transfer, admitted cases; an
               identity lookup's candidates)
``statistics`` the tables statistics count, under     nothing
               its unit paths (or every unit)
``system``     everything                             everything
============== ====================================== ======================================

A row reaches its scope in one of four ways, declared per table in ``CASE_TABLES``: the case
itself (its unit, or the unit it is offered to), through ``case_id`` (history, notes, support,
referrals, consents, reveals), a person through the cases about them, or a table's own unit
(an import's report). Adding a table that
holds rows about people is one line there plus ``op.execute`` of ``install_statements`` in its
migration; ``tests/access/test_row_security.py`` fails while a table referring to a case or a
person has no policy.

Index-friendliness: the unit ids of the scope are found once per context (an index range scan
of ``unit.path`` per prefix, with the same ``varchar_pattern_ops`` index the application's
``LIKE 'prefix%'`` uses) and probed as a hashed set, so a case read stays an index lookup by
primary key and a caseload an index scan by worker; rows reached through their case cost one
primary-key probe of ``case_file`` each. Settings and the context decision are read once per
statement (``(SELECT …)`` init plans), so a ``system`` or nationwide ``statistics`` context costs
nothing per row.

SQLite has no row-level security: there the application's scoping is the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Prefix of every policy and function name, so ``drop_policy_statements`` finds exactly ours.
PREFIX = "casework"


@dataclass(frozen=True)
class CaseTable:
    """A table with rows about people, and how one of its rows reaches the case scoping it.

    ``reach`` is ``"case"`` for ``case_file`` itself, ``"via_case"`` for a table with a
    ``case_id``-like ``column``, ``"person"`` for ``person`` (visible through the cases about
    them), ``"via_person"`` for a table keyed by a person id ``column``, ``"unit"`` for a table
    scoped by its own unit ``column``. ``statistics`` says whether
    the statistics context reads it (reports count coded columns of these tables only).
    """

    name: str
    reach: str
    column: str = "case_id"
    statistics: bool = False
    #: The migration that created the table and installs its policies (0006 installs its own).
    since: str = "0006"


CASE_TABLES: tuple[CaseTable, ...] = (
    CaseTable("case_file", "case", "unit_id", statistics=True),
    CaseTable("person", "person", "id", statistics=True),
    CaseTable("case_event", "via_case", statistics=True),
    CaseTable("case_note", "via_case", statistics=True),
    CaseTable("support_item", "via_case", statistics=True),
    CaseTable("referral", "via_case"),
    CaseTable("consent", "via_case"),
    CaseTable("identity_reveal", "via_case"),
    CaseTable("case_import", "unit", "unit_id"),
    # Per recipient: a user reads and marks only their own; whoever may write the case it is
    # about may notify someone of it (an assignment, a transfer, a closure decision).
    CaseTable("notification", "recipient", "recipient_id"),
    # A group's members: cases or only contacts, scoped by the group's unit (issue 21).
    CaseTable("group_member", "unit", "unit_id", statistics=True),
    CaseTable("person_data_key", "via_person", "id", since="0020"),
    CaseTable("erasure_request", "via_person", "person_id", since="0021"),
)

# SQL-standard bodies (BEGIN ATOMIC, PostgreSQL 14+) are resolved when the function is created,
# so they keep working under any search_path — pg_dump runs with an empty one — and are still
# inlined into the policies by the planner.
FUNCTIONS = (
    # A setting of this transaction, '' when unset (current_setting(…, true) is NULL for a
    # name never set in the session, '' once a transaction that set it has ended).
    """
    CREATE OR REPLACE FUNCTION casework_setting(name text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC SELECT coalesce(current_setting(name, true), ''); END
    """,
    # 'all', 'scoped' or 'none': how far the transaction's context reaches into a table, for
    # reading or writing, for a table statistics read or not.
    """
    CREATE OR REPLACE FUNCTION casework_reach(for_write boolean, statistics boolean)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
      SELECT CASE casework_setting('casework.context')
        WHEN 'system' THEN 'all'
        WHEN 'user' THEN 'scoped'
        WHEN 'statistics' THEN CASE
          WHEN for_write OR NOT statistics THEN 'none'
          WHEN casework_setting('casework.unit_paths') = '*' THEN 'all'
          ELSE 'scoped' END
        ELSE 'none' END;
    END
    """,
    """
    CREATE OR REPLACE FUNCTION casework_uuid_list(name text) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC SELECT string_to_array(nullif(casework_setting(name), ''), ',')::uuid[]; END
    """,
    """
    CREATE OR REPLACE FUNCTION casework_int_list(name text) RETURNS integer[]
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC SELECT string_to_array(nullif(casework_setting(name), ''), ',')::integer[]; END
    """,
    # The ids of the units under some path prefixes (one per line), comma-separated: worked
    # out once when a context is applied (casework.access.row_security), not in every policy.
    # A prefix is matched as a byte range [prefix, prefix with its last character + 1) — the
    # range ``LIKE 'prefix%'`` becomes in ix_unit_path (varchar_pattern_ops) — and checked
    # with starts_with(), so no character in a path is ever read as a wildcard. '*' and empty
    # lines match nothing here. PL/pgSQL keeps the query's plan for the session (an SQL
    # function with a subquery is planned again at every call), a generic one (a custom plan
    # for each list of paths cost twice the query); its search_path is the migration's, so it
    # finds ``unit`` whoever calls it.
    """
    CREATE OR REPLACE FUNCTION casework_units_under(paths text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan
    AS $$
    BEGIN
      RETURN (
        SELECT coalesce(string_agg(u.id::text, ','), '')
        FROM unnest(string_to_array(paths, E'\\n')) AS p(prefix)
        JOIN unit u
          ON u.path::text ~>=~ p.prefix
         AND u.path::text ~<~ (left(p.prefix, -1) || chr(ascii(right(p.prefix, 1)) + 1))
        WHERE p.prefix NOT IN ('', '*') AND starts_with(u.path::text, p.prefix)
      );
    END
    $$
    """,
    # The units of the scope, as the policies probe them (a hashed set, once per statement).
    """
    CREATE OR REPLACE FUNCTION casework_scope_units() RETURNS SETOF uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    BEGIN ATOMIC
      SELECT s.id FROM unnest(casework_uuid_list('casework.unit_ids')) AS s(id);
    END
    """,
)

DROP_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS casework_scope_units()",
    "DROP FUNCTION IF EXISTS casework_units_under(text)",
    "DROP FUNCTION IF EXISTS casework_int_list(text)",
    "DROP FUNCTION IF EXISTS casework_uuid_list(text)",
    "DROP FUNCTION IF EXISTS casework_reach(boolean, boolean)",
    "DROP FUNCTION IF EXISTS casework_setting(text)",
)

_SCOPE_UNITS = "(SELECT s.id FROM casework_scope_units() AS s(id))"
# The casts keep ``= ANY (…)`` an array comparison: ``ANY ((SELECT …))`` alone parses as a
# subquery returning one array row.
_ADMITTED = "(SELECT casework_uuid_list('casework.admitted_cases'))::uuid[]"
_LOOKUP_PEOPLE = "(SELECT casework_uuid_list('casework.lookup_people'))::uuid[]"
_LOOKUP_IDS = "(SELECT casework_int_list('casework.lookup_national_id_bi'))::integer[]"
_LOOKUP_PHONES = "(SELECT casework_int_list('casework.lookup_phone_bi'))::integer[]"
_NO_LOOKUP = "(SELECT casework_setting('casework.lookup_people')) = ''"


def _case_readable(alias: str) -> str:
    """SQL: the case ``alias`` lies under the scope's units, is offered to one of them in a
    transfer, or the transaction is admitted to it."""
    return (
        f"({alias}.unit_id IN {_SCOPE_UNITS}"
        f" OR {alias}.transfer_to_unit_id IN {_SCOPE_UNITS}"
        f" OR {alias}.id = ANY ({_ADMITTED}))"
    )


def _case_writable(alias: str) -> str:
    """SQL: the case ``alias`` lies under the scope's units, or the transaction is admitted."""
    return f"({alias}.unit_id IN {_SCOPE_UNITS} OR {alias}.id = ANY ({_ADMITTED}))"


def _conditions(table: CaseTable) -> tuple[str, str, str]:
    """SQL (read, insert, write) conditions of a ``scoped`` context on ``table``'s rows.

    Reads through a case lean on ``case_file``'s own policy, which applies inside a policy's
    subquery too: the case's scope is worked out once per statement, not once per table. An
    identity lookup admits candidate cases and people, not what hangs on them: nothing is read
    through a case while one is open (its one query reads cases and people only).
    """
    name, column = table.name, table.column
    if table.reach == "case":
        read = f"{_case_readable(name)} OR person_id = ANY ({_LOOKUP_PEOPLE})"
        write = _case_writable(name)
        return read, write, write
    if table.reach == "via_case":
        read = f"{_NO_LOOKUP} AND EXISTS (SELECT 1 FROM case_file c WHERE c.id = {name}.{column})"
        write = (
            f"EXISTS (SELECT 1 FROM case_file c WHERE c.id = {name}.{column}"
            f" AND {_case_writable('c')})"
        )
        return read, write, write
    if table.reach == "person":
        read = (
            f"EXISTS (SELECT 1 FROM case_file c WHERE c.person_id = {name}.{column})"
            f" OR national_id_bi = ANY ({_LOOKUP_IDS})"
            f" OR phone_bi = ANY ({_LOOKUP_PHONES})"
        )
        write = (
            f"EXISTS (SELECT 1 FROM case_file c WHERE c.person_id = {name}.{column}"
            f" AND {_case_writable('c')})"
        )
        # A person is written before the case about them exists (the case refers to the
        # person): any context that may write cases may add a person, who stays invisible
        # until a case in its scope refers to them.
        return read, "true", write
    if table.reach == "recipient":
        mine = f"{column} = (SELECT nullif(casework_setting('casework.user_id'), '')::uuid)"
        insert = (
            f"case_id IS NULL OR EXISTS (SELECT 1 FROM case_file c WHERE c.id = {name}.case_id"
            f" AND {_case_writable('c')})"
        )
        return mine, insert, mine
    if table.reach == "via_person":
        # Rows about one person (their data key): read and changed as the person is; added
        # with a new person, before any case refers to them, as ``person`` rows are.
        read = f"EXISTS (SELECT 1 FROM person p WHERE p.id = {name}.{column})"
        write = (
            f"EXISTS (SELECT 1 FROM case_file c WHERE c.person_id = {name}.{column}"
            f" AND {_case_writable('c')})"
        )
        return read, "true", write
    if table.reach == "unit":
        inside = f"{column} IN {_SCOPE_UNITS}"
        return inside, inside, inside
    raise ValueError(f"unknown reach {table.reach!r} for {name}")


def _guarded(reach: str, condition: str) -> str:
    # One CASE reads the context once per statement (one init plan, not one per comparison).
    return f"(CASE {reach} WHEN 'all' THEN true WHEN 'scoped' THEN ({condition}) ELSE false END)"


def install_statements(table: CaseTable) -> list[str]:
    """DDL enabling and forcing row-level security on ``table`` with its four policies.

    Forced, so the table's owner is subject too (a deployment that runs the service as the
    owner is still protected); superusers and BYPASSRLS roles never are, which is why the
    service must connect as neither (``casework.access.database_roles``).
    """
    read, insert, write = _conditions(table)
    reads = f"(SELECT casework_reach(false, {'true' if table.statistics else 'false'}))"
    writes = "(SELECT casework_reach(true, false))"
    name = table.name
    return [
        *drop_policy_statements(table),
        f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {PREFIX}_read ON {name} FOR SELECT USING {_guarded(reads, read)}",
        f"CREATE POLICY {PREFIX}_insert ON {name} FOR INSERT WITH CHECK {_guarded(writes, insert)}",
        f"CREATE POLICY {PREFIX}_update ON {name} FOR UPDATE USING {_guarded(writes, write)} "
        f"WITH CHECK {_guarded(writes, write)}",
        f"CREATE POLICY {PREFIX}_delete ON {name} FOR DELETE USING {_guarded(writes, write)}",
    ]


def drop_policy_statements(table: CaseTable) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {PREFIX}_{command} ON {table.name}"
        for command in ("read", "insert", "update", "delete")
    ]


def uninstall_statements(table: CaseTable) -> list[str]:
    """DDL removing ``table``'s policies and switching row-level security off."""
    return [
        *drop_policy_statements(table),
        f"ALTER TABLE {table.name} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table.name} DISABLE ROW LEVEL SECURITY",
    ]


def case_table(name: str) -> CaseTable:
    """The declaration of ``name``. :raise KeyError: not a table with rows about people."""
    for table in CASE_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)
