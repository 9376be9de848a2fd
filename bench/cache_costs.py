"""What one check costs on the cached-page path: the publication clock read from PostgreSQL,
a tick from Redis, a 126 kB page from Redis and from local memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/cache_costs.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

import django  # noqa: E402

django.setup()

from django.core.cache.backends.locmem import LocMemCache  # noqa: E402
from django.core.cache.backends.redis import RedisCache  # noqa: E402

from reports.public.pagecache import Entry, current_tick  # noqa: E402

CALLS = 5000
PAGE = Entry(tick=1, body=b"x" * 126_627, etag='"e"', last_modified=0)


def measure(label, call):
    for _ in range(200):
        call()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(CALLS):
        call()
    wall = (time.perf_counter() - started) / CALLS * 1e6
    used = (time.process_time() - cpu) / CALLS * 1e6
    print(f"{label:38} wall {wall:6.1f} µs   cpu {used:6.1f} µs")


def main():
    redis = RedisCache("redis://127.0.0.1:6379/9", {})
    local = LocMemCache("bench", {})
    for cache in (redis, local):
        cache.set("tick", 1)
        cache.set("page", PAGE)
    measure("PostgreSQL raw read of the clock", current_tick)
    measure("Redis get of the tick", lambda: redis.get("tick"))
    measure("Redis get_many of tick + 126 kB page", lambda: redis.get_many(["tick", "page"]))
    measure("local memory get_many of tick + page", lambda: local.get_many(["tick", "page"]))
    redis.delete_many(["tick", "page"])


if __name__ == "__main__":
    main()
