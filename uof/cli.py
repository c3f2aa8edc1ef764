"""The ``flask --app wsgi uof …`` commands of API.md."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from uof.domain.disproportionality import BaselineError
from uof.domain.policy import PRESETS
from uof.extensions import db
from uof.models import ROLES
from uof.services import accounts, audit, backup, demo, disproportionality, facts, policy, push, scheduler
from uof.uktime import NoSuchLocalTime, local_to_utc

uof = AppGroup("uof", help="Use-of-force administration commands.")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@uof.command("create-team")
@click.argument("name")
@click.option("--area", help="The area (local authority) the team polices.")
def create_team(name: str, area: str | None) -> None:
    """Create a team."""
    try:
        team = accounts.create_team(name, area)
    except accounts.AccountError as error:
        _fail(str(error))
        return
    db.session.commit()
    click.echo(f"Created team {team.name}" + (f" ({team.area})" if team.area else ""))


@uof.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(ROLES))
@click.option("--team", "teams", multiple=True, help="The officer's team; for a supervisor, a team supervised.")
@click.option("--force-number")
def create_user(email: str, name: str, roles: tuple[str, ...], teams: tuple[str, ...],
                force_number: str | None) -> None:
    """Create a user; the password comes from UOF_NEW_PASSWORD or a prompt."""
    password = os.environ.get("UOF_NEW_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        user = accounts.create_user(email=email, name=name, roles=roles, password=password, teams=teams,
                                    force_number=force_number)
    except accounts.AccountError as error:
        _fail(str(error))
        return
    db.session.commit()
    click.echo(f"Created user {user.email} ({', '.join(user.roles)})")


@uof.group("policy")
def policy_group() -> None:
    """Show or change the recording policy."""


@policy_group.command("show")
def policy_show() -> None:
    """Print the policy in force now and the version history."""
    active = policy.active()
    click.echo(f"Version {active.version} ({active.preset}) is in force.")
    for code, level in active.tactics.items():
        click.echo(f"  {code:28} {level}")
    click.echo("History:")
    for row in policy.history():
        click.echo(f"  v{row.version} {row.preset:10} effective {row.effective_from:%Y-%m-%d %H:%M} UTC"
                   + (f" with {len(row.overrides)} tactic override(s)" if row.overrides else ""))


@policy_group.command("set")
@click.argument("preset", type=click.Choice(PRESETS))
def policy_set(preset: str) -> None:
    """Make a new policy version from a preset, effective now."""
    row = policy.set_policy(preset, actor=None, note="set from the command line")
    db.session.commit()
    click.echo(f"Policy version {row.version} ({row.preset}) is in force from now.")


@uof.command("demo")
def demo_command() -> None:
    """Seed a realistic demo force (idempotent) and print the demo logins."""
    created = demo.seed()
    db.session.commit()
    click.echo("Seeded the demo force." if created else "The demo force is already there.")
    click.echo(demo.logins_text())


@uof.group("population")
def population_group() -> None:
    """Population baselines for the disproportionality figures."""


@population_group.command("load")
@click.argument("csv_file", metavar="CSV", type=click.File("r", encoding="utf-8"))
@click.option("--source", default=disproportionality.CENSUS_SOURCE, show_default=True,
              help="Where the figures come from (shown beside them).")
def population_load(csv_file: TextIO, source: str) -> None:
    """Load or replace the baselines of every area in CSV (area_code,area_name,ethnic_group,population)."""
    try:
        rows = disproportionality.load_baselines(csv_file.read(), source)
    except BaselineError as error:
        _fail(f"Nothing loaded: {error}")
        return
    db.session.commit()
    areas = sorted({row.area for row in rows})
    click.echo(f"Loaded {len(rows)} baselines for {len(areas)} area(s): {', '.join(areas)}.")


@uof.group("facts")
def facts_group() -> None:
    """The facts each report counts towards, from which the governance figures are counted."""


@facts_group.command("rebuild")
def facts_rebuild() -> None:
    """Recompute every report's facts from its current version (after a change to the counting rules)."""
    done = facts.rebuild()
    db.session.commit()
    click.echo(f"Facts rebuilt for {done} report(s).")


@uof.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first bad entry."""
    _verify_audit_log()


def _verify_audit_log() -> None:
    result = audit.verify()
    if result.ok:
        click.echo(f"Audit log intact: {result.checked} entries verified.")
        return
    click.echo(f"Audit log BROKEN at entry {result.bad_seq}: {result.problem} "
               f"({result.checked} entries verified before it).", err=True)
    raise SystemExit(1)


@uof.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back the whole database up to PATH (a new file), while the app runs."""
    try:
        contents = backup.backup(path)
    except backup.BackupError as error:
        _fail(str(error))
        return
    click.echo(f"Backed up {contents.reports} report(s) and {contents.audit_entries} audit entries to {path} "
               f"({contents.size_bytes / 1e6:.1f} MB). The audit key is not in it: keep that apart.")


@uof.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the whole database is replaced.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH; stop the web workers and the scheduler first."""
    if not yes:
        click.confirm(f"Replace the whole database with {path}?", abort=True)
    try:
        contents = backup.restore(path)
    except backup.BackupError as error:
        _fail(str(error))
        return
    click.echo(f"Restored {contents.reports} report(s) and {contents.audit_entries} audit entries from {path}.")
    _verify_audit_log()


def _when(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime | None:
    """``--now``: ISO 8601 with a zone, or without one as UK local time."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("give a time like 2026-11-26T07:30:00Z or 2026-11-26T07:30 (UK time)") from None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    try:
        return local_to_utc(moment)
    except NoSuchLocalTime as error:
        raise click.BadParameter(str(error)) from None


@uof.command("run-jobs")
@click.option("--now", metavar="ISO-8601", callback=_when,
              help="Run as of this time instead of now (without a zone: UK time).")
def run_jobs(now: datetime | None) -> None:
    """Run every scheduled job once, dispatch due notifications, and exit (1 if a job failed)."""
    # Notifications go out in the dispatch step, not after each job's commit.
    current_app.config["UOF_DISPATCH_AFTER_COMMIT"] = False
    results = scheduler.run_all(now)
    for name, result in results.items():
        click.echo(f"{name}: " + ("already ran for this period" if result is None else str(result)))
    if "failed" in results.values():
        raise SystemExit(1)


@uof.command("scheduler")
@click.option("--lease-seconds", default=scheduler.LEASE_SECONDS, show_default=True, type=click.IntRange(2, 3600),
              help="How long the lease lasts unless renewed.")
@click.option("--renew-seconds", default=scheduler.RENEW_SECONDS, show_default=True, type=click.IntRange(1, 3600),
              help="How often the lease is renewed (or, on standby, tried).")
def scheduler_command(lease_seconds: int, renew_seconds: int) -> None:
    """Run the scheduler until SIGTERM or SIGINT; at most one is active per database."""
    if renew_seconds >= lease_seconds:
        raise click.BadParameter("must be shorter than --lease-seconds", param_hint="--renew-seconds")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # This process sends notifications in its own dispatch job.
    app.config["UOF_DISPATCH_AFTER_COMMIT"] = False
    scheduler.Scheduler(app, lease_seconds=lease_seconds, renew_seconds=renew_seconds).serve()


@uof.command("vapid-keys")
def vapid_keys() -> None:
    """Create the VAPID key pair if there is none, and print the public key (never the private one)."""
    path = push.key_file()
    existed = path is None or path.exists()
    public = push.ensure_keys()
    if path is None:
        click.echo("The private key comes from UOF_VAPID_PRIVATE_KEY.")
    else:
        click.echo(f"{'Using the' if existed else 'Created a new'} private key in {path} (keep it secret; "
                   "replacing it means every device must enable alerts again).")
    click.echo("Public key (applicationServerKey):")
    click.echo(public)


def init_app(app: Flask) -> None:
    app.cli.add_command(uof)
