"""Which tables hold data about an account, found from the models themselves, and what happens to each.

Every table with a foreign key to users.id, or a column named like one (USER_COLUMNS), must be listed in
services.PERSONAL_TABLES with how it is exported and what deletion does to it; tests/integration/privacy walks
the metadata so a table added later without an entry fails the suite instead of being silently left behind.
"""
from __future__ import annotations

from sqlalchemy import MetaData, Table

USER_COLUMNS = frozenset({"user_id", "buyer_id", "owner_id", "author_id", "customer_id", "account_id"})


def user_columns(table: Table) -> list[str]:
    """The columns of `table` that name an account: a foreign key to users.id, or a user-id-like name."""
    found = []
    for column in table.columns:
        points_at_users = any(fk.column.table.name == "users" for fk in column.foreign_keys)
        if points_at_users or column.name in USER_COLUMNS:
            found.append(column.name)
    return found


def tables_about_users(metadata: MetaData) -> dict[str, list[str]]:
    """{table name: its user columns} for every table that refers to an account (users itself included)."""
    found = {"users": ["id"]} if "users" in metadata.tables else {}
    for table in metadata.sorted_tables:
        columns = user_columns(table)
        if columns and table.name != "users":
            found[table.name] = columns
    return found


def uncovered(metadata: MetaData, covered: set[str]) -> list[str]:
    """Tables about users that `covered` (the names with an export and a deletion rule) leaves out."""
    return sorted(set(tables_about_users(metadata)) - covered)
