"""The ``flask --app wsgi uof …`` commands of API.md."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from uof.domain.policy import PRESETS
from uof.extensions import db
from uof.models import ROLES
from uof.services import accounts, audit, demo, policy

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


@uof.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first bad entry."""
    result = audit.verify()
    if result.ok:
        click.echo(f"Audit log intact: {result.checked} entries verified.")
        return
    click.echo(f"Audit log BROKEN at entry {result.bad_seq}: {result.problem} "
               f"({result.checked} entries verified before it).", err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(uof)
