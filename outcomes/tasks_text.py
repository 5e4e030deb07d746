"""Celery entry points for free-text analysis: thin wrappers around the services.

Each task takes a job id, returns quietly when the job is gone or already claimed (a
redelivered message), and leaves progress and errors on the job for staff to see.
"""

from celery import shared_task

from outcomes import campaigns, suggest


@shared_task(name="outcomes.suggest_themes")
def suggest_themes(*, job_id: int) -> int:
    """Cluster a consultation's free-text answers into suggested themes."""
    return suggest.suggest_themes_run(job_id=job_id)


@shared_task(name="outcomes.group_campaigns")
def group_campaigns(*, job_id: int) -> int:
    """Group identical and near-identical free-text answers into campaigns."""
    return campaigns.campaigns_group_run(job_id=job_id)
