"""AI completions cache and token usage per build.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "completions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("prompt_version", sa.String(length=64), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_completions")),
    )
    with op.batch_alter_table("builds") as batch:
        batch.add_column(
            sa.Column("ai_prompt_tokens", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("ai_completion_tokens", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("builds") as batch:
        batch.drop_column("ai_completion_tokens")
        batch.drop_column("ai_prompt_tokens")
    op.drop_table("completions")
