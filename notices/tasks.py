"""Background work (Django's tasks framework, database-backed queue; run `manage.py run_worker`)."""

from django.tasks import task
from django_tasks_db.models import DBTaskResult

from notices.bulk import execute_publish_run
from tenants.models import PublishRun, PublishRunItem


def start_trust_publish(run):
    """Queue a trust-wide run: one task per school, so that each free worker takes one (they share the run)."""
    for _ in range(max(run.items.filter(status=PublishRunItem.Status.PENDING).count(), 1)):
        run_trust_publish.enqueue(run.pk)


@task
def run_trust_publish(run_id: int):
    # The run names its schools; execute_publish_run enters each school's schema itself, and does nothing
    # if another live worker already holds the run (it resumed it after this task's first worker died).
    execute_publish_run(PublishRun.objects.get(pk=run_id))


def stopped_workers(run):
    """The workers whose task for `run` never finished, once the run has ended: they stopped mid-way (killed,
    or their machine went), and the other workers carried the run on. django-tasks-db never finishes such a task."""
    if run.status not in (PublishRun.Status.DONE, PublishRun.Status.FAILED):
        return []
    unfinished = DBTaskResult.objects.filter(
        task_path=run_trust_publish.module_path, status="RUNNING", args_kwargs__args=[run.pk]
    )
    return sorted({worker for ids in unfinished.values_list("worker_ids", flat=True) for worker in ids})
