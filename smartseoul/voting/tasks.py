"""Background work of the voting module: periodic checkpoints and closing votes on time."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def sign_due_checkpoint(vote_id: int) -> bool:
    return services.checkpoint_sign(vote_id=vote_id) is not None


@task()
def close_due_vote(vote_id: int) -> int:
    return services.votes_close_due()


@task()
def sweep() -> dict[str, int]:
    return {"checkpoints": services.checkpoints_sign_due(), "closed": services.votes_close_due()}
