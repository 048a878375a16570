"""The last health probe of each deployed environment.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 05:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "environment_health",
        sa.Column("system_id", bot.db.models.BigId, nullable=False),
        sa.Column("environment", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("up", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("checked_at", bot.db.models.UTCDateTime(), nullable=False),
        sa.Column("since", bot.db.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["system_id"],
            ["systems.id"],
            name=op.f("fk_environment_health_system_id_systems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("system_id", "environment", name=op.f("pk_environment_health")),
    )


def downgrade() -> None:
    op.drop_table("environment_health")
