"""What the infrastructure workflows of each system said per environment: the last plan, apply
and drift check.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "infra_states",
        sa.Column("system_id", bot.db.models.BigId, nullable=False),
        sa.Column("environment", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("run_attempt", sa.Integer(), nullable=False),
        sa.Column("commit_sha", sa.String(length=40), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("pull_request_number", sa.Integer(), nullable=True),
        sa.Column("to_add", sa.Integer(), nullable=True),
        sa.Column("to_change", sa.Integer(), nullable=True),
        sa.Column("to_destroy", sa.Integer(), nullable=True),
        sa.Column("since", bot.db.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", bot.db.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["systems.id"],
            name=op.f("fk_infra_states_system_id_systems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("system_id", "environment", "kind", name=op.f("pk_infra_states")),
    )


def downgrade() -> None:
    op.drop_table("infra_states")
