from django.urls import reverse


def api_url(name: str, key: str | None = None) -> str:
    """The URL of a catalogue endpoint; `key` is the slug (or the code for certifications)."""
    kwargs = {"version": "v1"}
    if key is not None:
        kwargs["code" if name.startswith("certification") else "slug"] = key
    return reverse(f"roles:{name}", kwargs=kwargs)
