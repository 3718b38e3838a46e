"""Command line: ``flask --app wsgi <group> <command>`` (see API.md "Command line").

Commands print one clear line and exit non-zero on any problem; none of them takes a password or
a key on the command line (argv is visible to every user of the machine).

A command that uses the encryption keys (to encrypt, decrypt or sign audit rows) first checks
them against the database's key check values and stops with one line when they do not match
(``CommandGroup``); the commands that bring keys in (``casework init``, ``keys generate``,
``keys register``) and those that need none say so with ``needs_keys=False``.

Each command runs in the database context it declares (``database=``; see
``casework.access.row_security``): on PostgreSQL a command that declares none sees no row about
a person, so maintenance that must read every case says so, with its reason, where it is defined.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, inspect, select

from casework.access import row_security
from casework.access.row_security import NOBODY, DatabaseContext, statistics_context, system_context
from casework.extensions import db


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _with_checked_keys(command: Callable[..., Any], *, check_first: bool) -> Callable[..., Any]:
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        from casework.crypto import KeyCheckError, KeyUnavailableError, require_keyring

        try:
            if check_first:
                require_keyring(current_app)
            return command(*args, **kwargs)
        except (KeyUnavailableError, KeyCheckError) as exc:
            db.session.rollback()
            fail(str(exc))

    return run


class CommandGroup(AppGroup):
    """``AppGroup`` whose commands check the encryption keys before they run (unless declared
    with ``needs_keys=False``), turn a key problem met on the way into one line and exit 1, and
    run in the database context they declare (``database=``; none: no row about a person)."""

    def command(  # type: ignore[override]
        self,
        *args: Any,
        needs_keys: bool = True,
        database: DatabaseContext = NOBODY,
        **kwargs: Any,
    ) -> Callable[..., Any]:
        register = super().command(*args, **kwargs)

        def decorator(function: Callable[..., Any]) -> Any:
            @functools.wraps(function)
            def in_context(*call_args: Any, **call_kwargs: Any) -> Any:
                with row_security.using(db.session, database):
                    return function(*call_args, **call_kwargs)

            return register(_with_checked_keys(in_context, check_first=needs_keys))

        return decorator


casework_cli = CommandGroup("casework", help="Set up, check and maintain the service.")
units_cli = CommandGroup("units", help="The official administrative unit tree.")
users_cli = CommandGroup("users", help="User accounts.")
keys_cli = CommandGroup("keys", help="Encryption keys.")
audit_cli = CommandGroup("audit", help="The audit trail.")
workflows_cli = CommandGroup("workflows", help="The case workflows.")
imports_cli = CommandGroup("imports", help="Bulk intake of handover lists (CSV, XLSX).")
stats_cli = CommandGroup("stats", help="The statistics summary behind the reports.")


# --- casework ----------------------------------------------------------------------------------


@casework_cli.command(
    "init",
    needs_keys=False,
    # Registering a configured key first proves it on a value stored under its id: that proof
    # must see every encrypted row, or a wrong key would pass for one with nothing stored.
    database=system_context("casework init: proves configured keys on stored values"),
)
@click.option("--no-units", is_flag=True, help="Do not load the packaged official units.")
def init_command(no_units: bool) -> None:
    """Migrate the database, create the local key file when absent and register the keys'
    check values, load the official units. Safe to run again (after every upgrade)."""
    from flask_migrate import upgrade

    from casework.units.loader import PACKAGED_UNITS, load_units, read_file
    from casework.units.models import Unit

    upgrade()
    click.echo("database schema at head")
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.exc import ProgrammingError

        from casework.audit.grants import protect

        try:
            protect(db.session.connection())
        except ProgrammingError:
            db.session.rollback()
            fail(
                "init installs the audit trail's triggers and migrates: run it connected as the "
                "owner of the tables, not as the service's role (docs/operations.md)"
            )
        db.session.commit()
        click.echo("audit trail protected: UPDATE and DELETE of audit rows are refused")
        click.echo(
            "row-level security is on for the tables about people: serve as a role that does "
            "not own them (`casework grants --role casework_app --apply`, docs/operations.md)"
        )
    _register_configured_keys(create=True)
    if not no_units and not db.session.scalar(select(func.count()).select_from(Unit)):
        report = load_units(db.session, read_file(PACKAGED_UNITS))
        db.session.commit()
        click.echo(f"loaded official units: {report.summary()}")


def _register_configured_keys(*, create: bool) -> None:
    """Register the keys this instance is configured with (creating the local key file first
    when ``create`` and no key is configured); one line says what was done."""
    from casework import crypto
    from casework.crypto.checks import stored_check_values
    from casework.crypto.keyfile import new_key
    from casework.crypto.registration import register_keys

    key_file = Path(current_app.config["CASEWORK_KEY_FILE"])
    fresh: list[int] = []
    if create and not current_app.config.get("CASEWORK_ROOT_KEY") and not key_file.exists():
        known = stored_check_values(db.session.connection())
        if known:
            fail(_lost_key_message(key_file, known))
        key = new_key()
        crypto.generate_key_file(key_file, key)
        click.echo(f"created key file {key_file} (mode 0600): back it up, it cannot be recreated")
        fresh = [1]
    try:
        keyring = crypto.app_holder(current_app).get()
        registered = register_keys(db.session, keyring, fresh=fresh)
        db.session.commit()
    except crypto.CryptoError as exc:
        db.session.rollback()
        fail(str(exc))
    if registered:
        click.echo(f"registered the check values of encryption keys {_ids(registered)}")
    else:
        click.echo(f"encryption keys {_ids(keyring.key_ids)} match the database")


def _ids(key_ids: Any) -> str:
    return ", ".join(str(key_id) for key_id in key_ids)


def _lost_key_message(key_file: Path, known: dict[int, str]) -> str:
    return (
        f"this database was written with encryption keys {_ids(sorted(known))}, and no key is "
        f"configured: restore the key file {key_file} (or CASEWORK_ROOT_KEY) from your secret "
        "store or its sealed backup; a new key could not read the data"
    )


@casework_cli.command(
    "demo", database=system_context("casework demo: builds a world of cases in an empty database")
)
@click.option("--cases", default=500, show_default=True, help="How many cases to create.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (repeatable worlds).")
def demo_command(cases: int, seed: int) -> None:
    """Fill an empty database with a synthetic demo world and print its logins."""
    from casework.demo import DemoError, build_demo_world

    try:
        world = build_demo_world(db.session, cases=cases, seed=seed)
        db.session.commit()
    except DemoError as exc:
        db.session.rollback()
        fail(str(exc))
    click.echo(world.summary())


@casework_cli.command("check", needs_keys=False)
def check_command() -> None:
    """Print the configuration in effect and what is unsafe for production."""
    from casework.config import SETTINGS, production_warnings
    from casework.crypto import app_holder, key_status

    config = current_app.config
    click.echo("casework configuration in effect:")
    secret_like = {"SECRET_KEY", "CASEWORK_ROOT_KEY"}
    for setting in SETTINGS:
        value = config.get(setting.env)
        if setting.env in secret_like:
            shown = "(set)" if value and setting.env in _environ_names() else "(generated/file)"
            if setting.env == "CASEWORK_ROOT_KEY" and not value:
                shown = "(not set)"
        elif setting.env == "DATABASE_URL":
            shown = _redact_url(config["SQLALCHEMY_DATABASE_URI"])
        else:
            shown = value
        click.echo(f"  {setting.env:36} {shown}")
    keys = key_status(current_app)
    click.echo(f"encryption keys: {keys} ({app_holder(current_app).source})")
    warnings = production_warnings(config, current_app.debug) + _database_role_warnings()
    if keys != "ok":
        warnings.insert(0, f"the encryption keys are not usable here: {keys}")
    if warnings:
        click.echo("unsafe for production:")
        for warning in warnings:
            click.echo(f"  - {warning}")
    else:
        click.echo("nothing unsafe found")


def _database_role_warnings() -> list[str]:
    """On PostgreSQL, whether the service's connection would be bound by row-level security."""
    from sqlalchemy.exc import SQLAlchemyError

    from casework.access.database_roles import connection_problems

    if db.engine.dialect.name != "postgresql":
        return []
    try:
        with db.engine.connect() as connection:
            return connection_problems(connection)
    except SQLAlchemyError as exc:
        return [f"could not ask the database which role the service uses ({type(exc).__name__})"]


@casework_cli.command("grants", needs_keys=False)
@click.option("--role", default="casework_app", show_default=True,
              help="The role the service connects as.")
@click.option("--apply", "apply_now", is_flag=True,
              help="Run the statements now, connected as the tables' owner.")
def grants_command(role: str, apply_now: bool) -> None:
    """Print (or apply) what the service's own PostgreSQL role is granted: rows, never DDL.

    Run after `init` and after every migration, as the owner. The role is created once by a
    superuser; the service then connects as it, so row-level security binds it.
    """
    from casework.access.database_roles import (
        RoleError,
        apply_grants,
        create_role_statement,
        grant_statements,
    )

    if db.engine.dialect.name != "postgresql":
        fail("row-level security and roles are PostgreSQL's; SQLite relies on the application")
    if not apply_now:
        click.echo(f"-- once, as a superuser:\n{create_role_statement(role)};")
        click.echo("-- as the owner of the tables, after init and after every migration:")
        for statement in grant_statements(role):
            click.echo(f"{statement};")
        return
    try:
        statements = apply_grants(db.session.connection(), role)
        db.session.commit()
    except RoleError as exc:
        db.session.rollback()
        fail(str(exc))
    click.echo(f"granted {role} what the service needs ({len(statements)} statements)")


def _environ_names() -> set[str]:
    import os

    return set(os.environ)


def _redact_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@casework_cli.command(
    "verify",
    database=system_context("casework verify: every stage, history row and ciphertext"),
)
def verify_command() -> None:
    """Check data integrity: stages match history, audit chain intact and holding its latest
    checkpoint, ciphertexts decrypt."""
    from casework.audit.checkpoints import CheckpointError, configured_log
    from casework.integrity import verify_integrity

    try:
        checkpoint = configured_log(current_app).latest()
    except CheckpointError as exc:
        fail(f"audit checkpoint refused: {exc}")
    problems = verify_integrity(db.session, checkpoint)
    if problems:
        for problem in problems[:50]:
            click.echo(f"problem: {problem}", err=True)
        fail(f"{len(problems)} integrity problem(s)")
    click.echo("integrity check passed")


@casework_cli.command(
    "backup", database=system_context("casework backup: counts ciphertexts per key, dumps all")
)
@click.argument("archive", type=click.Path(path_type=Path))
def backup_command(archive: Path) -> None:
    """Write an archive of the database (ciphertext only; keys are not included).

    First appends an audit checkpoint to the checkpoint file; when the trail cannot be signed
    (rows gone), the archive is still written and the command exits non-zero saying why.
    """
    from casework import crypto
    from casework.audit.checkpoints import configured_log
    from casework.backup import BackupError, create_backup

    try:
        backup = create_backup(
            db.engine,
            db.session.session_factory,
            crypto.require_keyring(current_app),
            archive,
            configured_log(current_app),
        )
    except (BackupError, crypto.CryptoError) as exc:
        fail(str(exc))
    manifest = backup.manifest
    click.echo(
        f"backup written to {archive} ({manifest.database}, schema "
        f"{manifest.schema_revision}, keys {', '.join(manifest.key_fingerprints) or '-'})"
    )
    if backup.audit_problem:
        fail(f"no audit checkpoint written: {backup.audit_problem}")
    click.echo(f"audit checkpoint: {manifest.audit_checkpoint}")


@casework_cli.command(
    "restore",
    needs_keys=False,
    database=system_context("casework restore: checks every restored row"),
)
@click.argument("archive", type=click.Path(path_type=Path, exists=True))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def restore_command(archive: Path, yes: bool) -> None:
    """Replace this instance's database with an archive made by `casework backup`.

    The restored audit trail must reach the checkpoint written into the archive; a new
    checkpoint then starts the checkpoint file again from the restored trail.
    """
    from casework import crypto
    from casework.audit.checkpoints import configured_log
    from casework.backup import BackupError, restore_backup
    from casework.integrity import verify_integrity
    from casework.rights.erasure import ledger_path

    if not yes:
        click.confirm("This replaces every record in the current database. Continue?", abort=True)
    db.session.remove()
    try:
        # The archive's fingerprints are the proof here; the database it replaces may be empty.
        keyring = crypto.app_holder(current_app).get()
        restored = restore_backup(
            db.engine,
            db.session,
            keyring,
            archive,
            configured_log(current_app),
            erasure_ledger=ledger_path(),
        )
    except (BackupError, crypto.CryptoError) as exc:
        fail(str(exc))
    crypto.app_guard(current_app).forget()  # the key check values came with the archive
    baseline = restored.baseline
    problems = verify_integrity(db.session, baseline.checkpoint)
    if problems:
        fail(f"restored, but {len(problems)} integrity problem(s); first: {problems[0]}")
    click.echo(
        f"restored {archive} (made {restored.manifest.created_at}); integrity check passed"
    )
    if baseline.lost:
        click.echo(f"note: audit rows written after the backup are gone with the restore: "
                   f"{baseline.lost}")
    click.echo(f"erasures replayed: {restored.erasures_replayed}")
    click.echo(f"audit checkpoint: {baseline.checkpoint.line}")
    if db.engine.dialect.name == "postgresql":
        click.echo("the tables were recreated: grant the service's role again "
                   "(`casework grants --role … --apply`)")


# --- units -------------------------------------------------------------------------------------


@units_cli.command("load", needs_keys=False)
@click.argument("file", type=click.Path(path_type=Path))
def units_load(file: Path) -> None:
    """Load an official units file (pre- or post-reform format); idempotent."""
    from casework.units.loader import UnitFileError, load_units, read_file

    try:
        report = load_units(db.session, read_file(file))
        db.session.commit()
    except UnitFileError as exc:
        db.session.rollback()
        fail(f"{file}: {exc}")
    click.echo(report.summary())


# --- users -------------------------------------------------------------------------------------


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Role; repeat for several.")
@click.option("--unit", "unit_code", required=True, help="Official code of the unit.")
@click.option("--name", "display_name", default="", help="Display name.")
def users_create(username: str, roles: tuple[str, ...], unit_code: str, display_name: str) -> None:
    """Create a user; the password is read from standard input or a prompt, never argv.

    The operator's path (the first administrator, the first supervisors): the roles are granted
    at once and the password must be changed at the first login. Administrators create accounts
    in the service instead, where they never set a password.
    """
    from casework.accounts.operations import AccountError, create_account, find_unit
    from casework.errors import DomainError

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        created = create_account(
            db.session,
            None,
            username=username,
            roles=list(roles),
            unit=find_unit(db.session, unit_code),
            display_name=display_name,
            password=password,
        )
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        fail(str(exc))
    except DomainError as exc:
        db.session.rollback()
        fail("; ".join(f"{field}: {' '.join(map(str, m))}" for field, m in exc.errors.items()))
    click.echo(
        f"created user {created.user.username} ({', '.join(roles)} in {unit_code}); "
        "the password must be changed at the first login"
    )


# --- keys --------------------------------------------------------------------------------------


@keys_cli.command(
    "generate",
    needs_keys=False,
    database=system_context("keys generate: proves configured keys on stored values"),
)
@click.option("--file", "key_file", type=click.Path(path_type=Path), default=None)
def keys_generate(key_file: Path | None) -> None:
    """Create a new key file (0600) and, when it is this instance's key, register its check
    value. Refuses to overwrite an existing file, or to give a database that already has keys
    a new one."""
    from casework import crypto
    from casework.crypto.checks import stored_check_values
    from casework.crypto.keyfile import new_key
    from casework.crypto.models import KeyCheck
    from casework.crypto.registration import register_keys

    configured = Path(current_app.config["CASEWORK_KEY_FILE"])
    path = key_file or configured
    in_use = not current_app.config.get("CASEWORK_ROOT_KEY") and path.resolve() == (
        configured.resolve()
    )
    schema_ready = inspect(db.session.connection()).has_table(KeyCheck.__tablename__)
    if in_use and schema_ready and not path.exists():
        known = stored_check_values(db.session.connection())
        if known:
            fail(_lost_key_message(path, known))
    key = new_key()
    try:
        crypto.generate_key_file(path, key)
    except (FileExistsError, crypto.CryptoError) as exc:
        fail(str(exc))
    click.echo(f"created key file {path} (mode 0600)")
    if not in_use:
        click.echo("it is not this instance's key source: once it is, run `keys register`")
    elif not schema_ready:
        click.echo("its check value is written by `casework init`")
    else:
        try:
            register_keys(db.session, crypto.Keyring({1: key}), fresh=[1])
            db.session.commit()
        except crypto.CryptoError as exc:
            db.session.rollback()
            fail(str(exc))
        click.echo("registered its check value in the database")


@keys_cli.command(
    "register",
    needs_keys=False,
    database=system_context("keys register: proves each key on a value stored under its id"),
)
def keys_register() -> None:
    """Register the check values of the configured keys the database does not know yet (after
    adding a key to CASEWORK_ROOT_KEY, before restarting the service with it). A key must open
    what is already stored under its id; a key the database knows must match."""
    _register_configured_keys(create=False)


@keys_cli.command(
    "rotate", database=system_context("keys rotate: re-encrypts every encrypted value")
)
@click.option("--batch-size", default=500, show_default=True)
@click.option("--resume", is_flag=True, help="Finish an interrupted rotation without a new key.")
def keys_rotate(batch_size: int, resume: bool) -> None:
    """Add a key and re-encrypt every encrypted value with it, in batches (resumable)."""
    from casework import crypto
    from casework.crypto.checks import stored_check_values
    from casework.crypto.keyfile import new_key, next_key_id
    from casework.crypto.registration import register_keys
    from casework.crypto.rotation import rotate_all

    key_file = Path(current_app.config["CASEWORK_KEY_FILE"])
    if not resume:
        if current_app.config.get("CASEWORK_ROOT_KEY"):
            fail(
                "the root key comes from CASEWORK_ROOT_KEY: add the new key to that variable "
                "('id:base64,…'), run `keys register` with it, restart the service with it, "
                "then run `keys rotate --resume`"
            )
        current = crypto.require_keyring(current_app)
        # The check value first, the key file second: a worker that reloads the file must
        # find the new key already known to the database.
        new_id = next_key_id(key_file, stored_check_values(db.session.connection()))
        key = new_key()
        register_keys(db.session, current.with_key(new_id, key), fresh=[new_id])
        db.session.commit()
        crypto.add_key_to_file(key_file, key_id=new_id, key=key)
        click.echo(f"added key {new_id}; new writes use it once each worker reloads the key file")
    keyring = crypto.require_keyring(current_app)

    def progress(table: str, done: int, total: int) -> None:
        click.echo(f"  {table}: {done}/{total} rows examined")

    report = rotate_all(db.session, keyring, batch_size=batch_size, progress=progress)
    click.echo(f"rotation to key {keyring.active_id} complete: {report}")


@keys_cli.command(
    "migrate-person-keys",
    database=system_context("keys migrate-person-keys: reseals people's fields under their keys"),
)
@click.option("--batch-size", default=500, show_default=True)
def keys_migrate_person_keys(batch_size: int) -> None:
    """Reseal every person's fields still under a root key with that person's own data key, in
    batches committed one by one, while the service runs (rerun to resume)."""
    from casework import crypto
    from casework.crypto.person_keys import migrate_person_keys

    keyring = crypto.require_keyring(current_app)

    def progress(table: str, done: int) -> None:
        click.echo(f"  {table}: {done} rows examined")

    report = migrate_person_keys(db.session, keyring, batch_size=batch_size, progress=progress)
    click.echo(
        f"examined {report.examined} rows, resealed {report.resealed}, "
        f"created {report.keys_created} data keys"
    )
    for problem in report.failures:
        click.echo(f"  problem: {problem}", err=True)
    if report.failures:
        raise SystemExit(1)


@keys_cli.command(
    "status", database=system_context("keys status: counts the ciphertexts of each key")
)
def keys_status() -> None:
    """How many encrypted values use each key id."""
    from casework import crypto
    from casework.crypto.rotation import count_by_key_id

    keyring = crypto.require_keyring(current_app)
    click.echo(f"active key: {keyring.active_id}")
    for key_id, count in sorted(count_by_key_id(db.session).items()):
        click.echo(f"  key {key_id}: {count} values")


# --- audit -------------------------------------------------------------------------------------


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "reference",
    metavar="FILE|LINE",
    help="Check against the latest checkpoint of FILE (an off-host copy), of a pasted checkpoint "
    "line, or of the lines on standard input (-), instead of the checkpoint file.",
)
def audit_verify(reference: str | None) -> None:
    """Check the audit chain and that it still holds every row its latest checkpoint signed.

    Non-zero exit naming the first bad row, or the rows missing since the checkpoint.
    """
    from casework.audit.checkpoints import (
        CheckpointError,
        configured_log,
        load_reference,
        trail_length,
        verify_trail,
    )

    log = configured_log(current_app)
    if reference == "-":
        reference = sys.stdin.read()
    try:
        checkpoint = load_reference(reference, log)
    except CheckpointError as exc:
        fail(f"checkpoint refused: {exc}")
    problems = verify_trail(db.session, checkpoint)
    rows = trail_length(db.session)
    db.session.rollback()
    if problems:
        for problem in problems[:-1]:
            click.echo(f"error: {problem}", err=True)
        fail(problems[-1])
    if checkpoint is None:
        click.echo(
            f"warning: no checkpoint in {log.path} yet: rows removed from the end of the trail "
            "cannot be seen until `flask --app wsgi audit checkpoint` has run",
            err=True,
        )
        click.echo(f"audit chain intact: {rows:,} rows")
    else:
        click.echo(
            f"audit chain intact: {rows:,} rows, holding {checkpoint} "
            f"({checkpoint.rows:,} rows, head {checkpoint.head[:16]}…)"
        )


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the audit trail as it stands, append the checkpoint to the checkpoint file and print
    it for the auditor.

    Refuses, non-zero and writing nothing, when rows the previous checkpoint signed are gone.
    Run it from cron or a systemd timer (docs/operations.md, "Audit checkpoints").
    """
    from casework.audit.checkpoints import (
        CheckpointError,
        configured_log,
        printed,
        write_checkpoint,
    )

    log = configured_log(current_app)
    try:
        checkpoint = write_checkpoint(db.session, log, "command")
    except CheckpointError as exc:
        fail(f"no checkpoint written: {exc}")
    finally:
        db.session.rollback()
    click.echo(printed(checkpoint, log))


@audit_cli.command("protect", needs_keys=False)
def audit_protect() -> None:
    """Make audit rows append-only in the database (triggers refusing UPDATE and DELETE).

    For PostgreSQL, also run the service as a role without UPDATE/DELETE on audit_event:
    see casework/audit/grants.py for the statements.
    """
    from casework.audit.grants import protect

    protect(db.session.connection())
    db.session.commit()
    click.echo("audit trail protected: UPDATE and DELETE of audit rows are refused")


@workflows_cli.command("show", needs_keys=False)
@click.argument("case_type", required=False)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="en", show_default=True)
@click.option("--mermaid", is_flag=True, help="Print the diagram instead of the table.")
def workflows_show(case_type: str | None, lang: str, mermaid: bool) -> None:
    """Print each machine as a table (stage, event, to, roles, guards, fields, due days)."""
    from workflows import WORKFLOWS, get_workflow
    from workflows.diagram import to_mermaid
    from workflows.table import all_tables_markdown, markdown_table

    if case_type is not None and case_type not in WORKFLOWS:
        fail(f"unknown case type {case_type}; known: {', '.join(WORKFLOWS)}")
    if mermaid:
        for name in [case_type] if case_type else list(WORKFLOWS):
            click.echo(to_mermaid(get_workflow(name), lang=lang))
        return
    click.echo(
        markdown_table(get_workflow(case_type), lang) if case_type else all_tables_markdown(lang)
    )


# --- imports -----------------------------------------------------------------------------------


@imports_cli.command("run")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--type", "case_type", required=True, help="Case type of every row.")
@click.option("--unit", "unit_code", required=True, help="Commune of rows without 'Mã xã'.")
@click.option("--as", "username", required=True, help="The worker the import is done as.")
@click.option("--commit", is_flag=True, help="Import (all or nothing) instead of checking.")
@click.option("--encoding", default=None, help="CSV only: windows-1258 for old systems.")
@click.option("--referral-source", default=None, help="Where the list comes from.")
def imports_run(
    file: Path,
    case_type: str,
    unit_code: str,
    username: str,
    commit: bool,
    encoding: str | None,
    referral_source: str | None,
) -> None:
    """Check a handover list (the default) or import it with --commit; print the row report.

    The same path as ``POST /api/v1/imports``, as the named user with their area and audit
    trail, so a list imported by a script is checked, scoped and recorded like one uploaded.
    Exits non-zero when the file is refused or any row has an error.
    """
    from flask_babel import force_locale

    from casework.accounts.models import User
    from casework.cases.models import CASE_TYPES, REFERRAL_SOURCES
    from casework.errors import Invalid
    from casework.services.imports.api import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS
    from casework.services.imports.intake import ImportRefused, Options, report_rows, run_import
    from casework.services.imports.reading import ENCODINGS
    from casework.unit_of_work import write_failure_audit

    if case_type not in CASE_TYPES:
        fail(f"unknown case type {case_type}; known: {', '.join(CASE_TYPES)}")
    if encoding is not None and encoding not in ENCODINGS:
        fail(f"unknown encoding {encoding}; known: {', '.join(ENCODINGS)}")
    if referral_source is not None and referral_source not in REFERRAL_SOURCES:
        fail(f"unknown referral source {referral_source}; known: {', '.join(REFERRAL_SOURCES)}")
    user = db.session.scalar(select(User).where(User.username == username.lower(), User.active))
    if user is None:
        fail(f"no active user {username}")
    # From here on the database scopes this command to the user's units, as it would their
    # request (the surrounding group restores nobody's context at the end).
    row_security.bind_caller(db.session, user)
    max_bytes = int(current_app.config.get("CASEWORK_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    with file.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        fail(f"{file} is larger than {max_bytes // (1024 * 1024)} MB: split the list")
    options = Options(
        case_type=case_type,
        unit=unit_code,
        dry_run=not commit,
        encoding=encoding,
        referral_source=referral_source,
        filename=file.name,
    )
    max_rows = int(current_app.config.get("CASEWORK_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))
    # Messages in the user's own language, as the web would show them.
    with force_locale(user.locale or current_app.config["CASEWORK_LOCALE"]):
        try:
            record = run_import(db.session, user, data, options, max_rows=max_rows)
        except ImportRefused as exc:
            db.session.rollback()
            failed = exc.errors.get("rows", {})
            for row, messages in failed.items():
                click.echo(f"{row:>6}  {'error':<10} {'':<15} {_import_messages(messages)}")
            write_failure_audit()  # the refusal's audit entry, kept aside by the operation
            fail(exc.message)
        except Invalid as exc:
            db.session.rollback()
            details = "; ".join(f"{k}: {_import_messages(v)}" for k, v in exc.errors.items())
            fail(f"{file}: {exc.message} {details}".strip())
        db.session.commit()  # the import record (its report) and its audit entry, as the API
        rows = report_rows(record)
    click.echo(f"{'row':>6}  {'status':<10} {'reference':<15} notes")
    for row in rows:
        click.echo(
            f"{row['row']:>6}  {row['status']:<10} {row.get('reference') or '':<15} "
            f"{_import_notes(row)}"
        )
    what = "imported" if commit else "checked (dry run, nothing written)"
    click.echo(
        f"{file.name}: {record.rows_total} rows {what}: {record.rows_ok} ok, of which "
        f"{record.rows_duplicate} flagged as possible duplicates; {record.rows_error} "
        f"with errors (import {record.id})"
    )
    if record.rows_error:
        sys.exit(1)


def _import_messages(messages: object) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{name}: {_import_messages(texts)}" for name, texts in messages.items())
    if isinstance(messages, list):
        return " ".join(str(text) for text in messages)
    return str(messages)


def _import_notes(row: dict) -> str:
    notes = [_import_messages(row["messages"])] if row.get("messages") else []
    if row.get("duplicates"):
        notes.append("same person in your area: " + ", ".join(row["duplicates"]))
    if row.get("elsewhere"):
        notes.append("a possible match exists that you may not see; ask your supervisor")
    if row.get("same_as_row"):
        notes.append(f"same phone as row {row['same_as_row']}")
    return "; ".join(notes)


# --- stats ---------------------------------------------------------------------------------------


@stats_cli.command("refresh", needs_keys=False, database=statistics_context(None))
@click.option("--since", metavar="YYYY-MM", help="rebuild only this month and later ones")
@click.option("--warm", "warm_periods", multiple=True, metavar="PERIOD",
              help="then build and keep the country's and every province's report for PERIOD "
                   "(e.g. 2026, 2026-Q3, 2026-10); repeatable")
@click.option("--quiet", is_flag=True, help="print only the final line")
def stats_refresh(since: str | None, warm_periods: tuple[str, ...], quiet: bool) -> None:
    """Rebuild the statistics summary the reports read (run nightly; --since more often)."""
    import time
    from datetime import date

    from casework.stats import summary
    from casework.stats.periods import PeriodError, parse
    from casework.stats.reports import warm

    start = None
    if since:
        try:
            year, month = (int(part) for part in since.split("-"))
            start = date(year, month, 1)
        except ValueError:
            fail("--since must be a month, YYYY-MM")

    def progress(months: str, done: int, total: int) -> None:
        if not quiet:
            click.echo(f"  {done}/{total} {months}")

    try:
        periods = [parse(text) for text in warm_periods]
    except PeriodError as error:
        fail(f"--warm: {error}")
    began = time.perf_counter()
    run = summary.refresh(db.session, since=start, progress=progress)
    db.session.commit()
    summary.tidy(db.engine)
    scope = f"from {start:%Y-%m}" if start else "all months"
    click.echo(f"statistics summary refreshed ({scope}): {run.facts:,} rows in "
               f"{time.perf_counter() - began:.1f} s")
    if periods:
        began = time.perf_counter()
        built = warm(db.session, periods, progress=None if quiet else (
            lambda code, label: click.echo(f"  kept report {code} {label}")))
        click.echo(f"reports kept: {built} in {time.perf_counter() - began:.1f} s")


@stats_cli.command("status", needs_keys=False)
def stats_status() -> None:
    """When the summary was last refreshed, and how many rows it holds."""
    from casework.stats import summary

    run = summary.latest_refresh(db.session)
    if run is None:
        click.echo("never refreshed: reports are computed from the history on each request")
        return
    scope = f"from {run.since:%Y-%m}" if run.since else "all months"
    click.echo(f"last refresh {run.finished_at:%Y-%m-%d %H:%M:%S} UTC ({scope}); "
               f"{summary.summary_rows(db.session):,} summary rows")


def init_app(app: Flask) -> None:
    from casework.notifications.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    for group in (
        casework_cli,
        units_cli,
        users_cli,
        keys_cli,
        audit_cli,
        workflows_cli,
        imports_cli,
        stats_cli,
    ):
        app.cli.add_command(group)


def main() -> None:
    """Console script ``casework``: the same commands without typing ``flask --app wsgi``."""
    from flask.cli import FlaskGroup

    from casework import create_app

    FlaskGroup(create_app=lambda: create_app())(prog_name="casework")
