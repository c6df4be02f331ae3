"""Install the periodic jobs in django-celery-beat's tables, where admins can see and change
them (Periodic tasks in /admin/). Created only when missing, so an admin's change survives
deploys and beat restarts (a CELERY_BEAT_SCHEDULE setting would be re-applied at each start)."""

from django.db import migrations

PERIODIC_TASKS = [
    # name, task, every N seconds, description
    (
        "Scan for due reminders",
        "plans.scan_due_reminders",
        300,
        "Claims the reminders whose send time has come and enqueues them in batches.",
    ),
    (
        "Purge stored idempotent responses",
        "plans.purge_idempotency_records",
        3600,
        "Forgets Idempotency-Key responses older than 24 hours.",
    ),
]


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, seconds, description in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(task=task).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.create(
            name=name, task=task, interval=interval, description=description, enabled=True
        )


def uninstall(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=[task for _, task, _, _ in PERIODIC_TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_reminders_calendar_feed"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
