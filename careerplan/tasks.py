from celery import shared_task


@shared_task(name="careerplan.ping", ignore_result=False)
def ping(payload: str = "pong") -> str:
    """Echo `payload`: proves a message went broker -> worker -> result backend."""
    return payload
