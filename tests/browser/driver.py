"""Runs one Node/Playwright driver (``*_flow.mjs``) against a page in a real
headless Chromium and returns the JSON result it prints last."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.servers import REPO_ROOT, skip_or_fail
from tests.web.backend import WEB_ROOT, WIDGET_FILE

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"


def require_browser_tools() -> str:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed")
    if not CHROMIUM.exists():
        skip_or_fail(f"chromium is not installed at {CHROMIUM} (run scripts/ensure-chromium.sh)")
    if not (WEB_ROOT / "node_modules" / "playwright-core").is_dir() or not WIDGET_FILE.is_file():
        skip_or_fail("web/node_modules is missing; run `make web`")
    return str(node)


def run_driver(
    node: str, driver: Path, page_url: str, screenshot: Path, result_name: str, env: dict[str, str]
) -> dict[str, Any]:
    """Run ``driver`` on ``page_url``; the result is also saved as ``test-artifacts/<result_name>``."""
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tactful-chromium-") as profile:
        completed = subprocess.run(
            [node, str(driver)],
            env={
                **os.environ,
                "HOME": profile,
                "PAGE_URL": page_url,
                "WEB_ROOT": str(WEB_ROOT),
                "CHROMIUM": str(CHROMIUM),
                "SCREENSHOT": str(screenshot),
                "PROFILE_DIR": profile,
                **env,
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    assert lines, f"driver printed no result (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(lines[-1])
    (ARTIFACTS / result_name).write_text(json.dumps(result, indent=2))
    return result
