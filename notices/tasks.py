"""Background work (Django's tasks framework, database-backed queue; run `manage.py run_worker`)."""

from django.tasks import task

from notices.bulk import execute_publish_run
from tenants.models import PublishRun


@task
def run_trust_publish(run_id: int):
    # The run names its schools; execute_publish_run enters each school's schema itself, and does nothing
    # if another live worker already holds the run (it resumed it after this task's first worker died).
    execute_publish_run(PublishRun.objects.get(pk=run_id))
