"""`borderwatch users add|list|deactivate`: the people who log in, per agency."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.domain.audit import Role
from borderwatch.errors import InputError
from borderwatch.services import auth

users_app = typer.Typer(
    help="Users: officers, supervisors, admins and auditors who log in.", no_args_is_help=True
)

ROLE_NAMES = ", ".join(role.value for role in auth.USER_ROLES)
AGENCY_HELP = "Agency code (default: this instance's agency)."


def _role(value: str) -> Role:
    try:
        role = Role(value.strip().lower())
    except ValueError:
        role = Role.SYSTEM
    if role not in auth.USER_ROLES:
        raise typer.BadParameter(f"{value!r} is not a role; roles are: {ROLE_NAMES}")
    return role


def _read_password(path: Path | None) -> str:
    if path is None:
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the password file ({exc})", source=str(path), field="password-file"
        ) from exc
    lines = text.splitlines()
    # The first line is the password; the newline an editor adds is not part of it.
    return lines[0] if lines else ""


@users_app.command("add")
def add_command(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name: a-z, 0-9, '.', '_', '-' (stored in lower case)."),
    role: str = typer.Option(..., "--role", help=f"One of: {ROLE_NAMES}."),
    agency: str | None = typer.Option(None, "--agency", help=AGENCY_HELP),
    full_name: str = typer.Option("", "--full-name", help="The person's full name, as shown in the trail."),
    password_file: Path | None = typer.Option(
        None,
        "--password-file",
        help="Read the password from the first line of this file (otherwise it is asked for, twice, "
        "without echo).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the new user as JSON."),
) -> None:
    """Create a user who can log in to the API and the console."""
    chosen = _role(role)
    instance = state(ctx).instance()
    password = _read_password(password_file)
    actor = instance.actor(channel="cli:users add", agency=agency)
    user = auth.create_user(
        instance.db, actor, username=username, role=chosen, password=password, full_name=full_name, now=now()
    )
    if as_json:
        print_json(user.as_dict())
        return
    console.print(f"User {user.username} ({user.role.value}) created in agency {user.agency_code}.")


@users_app.command("list")
def list_command(
    ctx: typer.Context,
    agency: str | None = typer.Option(None, "--agency", help=AGENCY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the users of an agency."""
    instance = state(ctx).instance()
    found = auth.list_users(instance.db, instance.actor(channel="cli:users list", agency=agency))
    if as_json:
        print_json({"users": [u.as_dict() for u in found]})
        return
    table = Table(title="Users")
    for column in ("id", "username", "full name", "role", "active", "created"):
        table.add_column(column)
    for user in found:
        table.add_row(
            str(user.user_id),
            user.username,
            user.full_name,
            user.role.value,
            "yes" if user.active else "no",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table if found else "No users yet: `borderwatch users add NAME --role admin`.")


@users_app.command("deactivate")
def deactivate_command(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Login name of the user to deactivate."),
    agency: str | None = typer.Option(None, "--agency", help=AGENCY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the user as JSON."),
) -> None:
    """Deactivate a user: they can no longer log in and their tokens stop working."""
    instance = state(ctx).instance()
    user = auth.deactivate_user(
        instance.db, instance.actor(channel="cli:users deactivate", agency=agency), username, now=now()
    )
    if as_json:
        print_json(user.as_dict())
        return
    console.print(f"User {user.username} of agency {user.agency_code} deactivated; their tokens are revoked.")


def register(app: typer.Typer) -> None:
    """Add `users`."""
    app.add_typer(users_app, name="users")
