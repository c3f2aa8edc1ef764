"""The login limit (10 attempts a minute per address) holds across gunicorn's workers, counted in Redis: with
attempts arriving at once at four workers, a count kept in each worker would let up to 40 through."""

from __future__ import annotations

import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import load

ATTEMPTS = 16


def test_the_login_limit_holds_whichever_worker_answers(app, database_url, tmp_path):
    # An address of this test's own, so that no other run's attempts count against it.
    address = f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311 (not a secret)
    env = load.server_env(database_url, tmp_path / "instance")
    with load.Server(env, workers=4, log=tmp_path / "server.log") as server:
        session = requests.Session()
        session.headers["X-Forwarded-For"] = address
        page = session.get(f"{server.base}/login", timeout=10).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

        def attempt(_: int) -> int:
            return session.post(f"{server.base}/login", timeout=30, allow_redirects=False,
                                data={"username": "nobody@example.org", "password": "wrong", "csrf_token": token},
                                headers={"Connection": "close"}).status_code

        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            statuses = Counter(pool.map(attempt, range(ATTEMPTS)))
    # 200: the form again, with its one generic message.
    assert statuses == {200: 10, 429: ATTEMPTS - 10}
