# One image for web, worker, beat and the one-shot migrate job.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs a secret to import settings; this one is never used to serve.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 careerplan \
    && mkdir -p /app/var && chown -R careerplan /app/var
USER careerplan

ENV BIND=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["gunicorn", "careerplan.wsgi", "--config", "gunicorn.conf.py"]
