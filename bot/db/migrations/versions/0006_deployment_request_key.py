"""Deployments SBH dispatched remember what asked for them, so a job that runs again does not
dispatch a second time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(sa.Column("request_key", sa.String(length=100), nullable=True))
    op.create_index("ux_deployments_request_key", "deployments", ["request_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_deployments_request_key", table_name="deployments")
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("request_key")
