"""How a person is named: on a page, in an export, in the audit trail."""

from __future__ import annotations


def name_of(user, nobody: str = "") -> str:
    """A user's first name, else their username; `nobody` where there is no one (a draft not yet
    posted, a customer without a salesperson). One rule, so a person reads the same everywhere."""
    if user is None:
        return nobody
    return user.first_name or user.get_username() or nobody
