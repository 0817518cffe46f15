"""tasks: the git repository and ref to check out (ds run -R/-b)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("repo", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("ref", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("ref")
        batch.drop_column("repo")
