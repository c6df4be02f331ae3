"""Browser check of the admin and the API docs: headless Chromium (Debian's `chromium`
package) driven by playwright-core (npm), against gunicorn with production settings.

    .venv/bin/python bench/browser/run.py

Prepares the drill database (catalogue loaded, a superuser), collects static files, serves
with gunicorn, installs playwright-core into var/browser/node (npm, pinned) and runs check.mjs:
admin sign-in, a salary band edited and saved, Swagger UI and Redoc loaded. Screenshots and
report.json go to var/browser/; console errors (CSP violations among them) are listed there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "drills"))
import common

PLAYWRIGHT_CORE = "playwright-core@1.65.1"
OUT = common.ROOT / "var" / "browser"
NODE_DIR = OUT / "node"
ADMIN_EMAIL = "editor@example.com"


def main() -> int:
    common.prepare_database()
    code = (
        "from accounts.models import User\n"
        f"User.objects.create_superuser(email={ADMIN_EMAIL!r}, password={common.PASSWORD!r})\n"
    )
    common.manage("shell", "--no-imports", "-c", code)
    common.manage("collectstatic", "--no-input", "-v0")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    if not (NODE_DIR / "node_modules" / "playwright-core").exists():
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(NODE_DIR), PLAYWRIGHT_CORE], check=True
        )
    script = NODE_DIR / "check.mjs"
    script.write_text((Path(__file__).parent / "check.mjs").read_text())
    with common.gunicorn(common.environment()):
        common.wait_until_up()
        env = dict(
            os.environ,
            BASE_URL=f"http://127.0.0.1:{common.PORT}",
            OUT_DIR=str(OUT),
            ADMIN_EMAIL=ADMIN_EMAIL,
            ADMIN_PASSWORD=common.PASSWORD,
        )
        return subprocess.run(["node", str(script)], env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
