"""Import a large archive with several processes; each file still gets its own transaction
and revision, and the report is the one a single process would give.

Every file is parsed first, in this process, and files are grouped by the countries they
name: a group is imported by one process, in the order given, so one country's profiles and
editions are only ever written by one process and come out as they would one by one (the
newest edition published, a repeated edition "unchanged" or "updated" in file order). Rows
shared between countries (topics, reports, sources) can still be added by two processes at
once; the loser's file rolls back and is planned and written again
(`service.import_in_batches`). One thing can differ from a run in one process: a new source
cited from files of two countries takes its title from whichever of them is written first.

Worker processes are started fresh ("spawn"), not forked: a fork would copy this process's
open database connection and any lock another thread holds (a web server's, a test
runner's) into every worker. They are given this process's database settings, so they write
where it would.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

import django
from django.conf import settings
from django.db import connection

# Each process keeps one core busy with Python while the database works for the others.
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
# Below this many files, starting processes (a second each) costs more than it saves.
MIN_FILES = 100

_reference = None  # each worker's own view of countries, topics, profiles and reports


def possible(documents, options, workers):
    return (
        workers > 1
        and len(documents) >= MIN_FILES
        and not options.dry_run
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def groups_by_country(parsed):
    """Lists of file indexes, in file order, such that no country appears in two lists."""
    owner = {}  # country -> an index in its group
    parent = list(range(len(parsed)))

    def root(index):
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, document in enumerate(parsed):
        countries = {p.country for p in document.profiles if p.country} if document else set()
        for country in countries:
            if country in owner:
                parent[root(index)] = root(owner[country])
            else:
                owner[country] = index
    groups = {}
    for index in range(len(parsed)):
        groups.setdefault(root(index), []).append(index)
    return sorted(groups.values(), key=lambda group: group[0])


def import_documents(documents, options, progress, workers):
    from . import service  # not at the top: a worker imports this module before Django is set up

    files = [None] * len(documents)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings.DATABASES,),
    ) as pool:
        # The workers start (Python, Django) while this process parses every file.
        for _ in range(workers):
            pool.submit(_started)
        reference = service.Reference.load()
        parsed = [service.parse(document, options, reference) for document in documents]
        tasks = [
            pool.submit(_import_group, [(i, documents[i], parsed[i]) for i in group], options)
            for group in groups_by_country(parsed)
        ]
        for task in as_completed(tasks):
            for index, entry in task.result():
                files[index] = entry
                if progress is not None:
                    progress(entry)
    return {"files": files}


def _start_worker(databases):
    settings.DATABASES = databases
    django.setup()


def _started():
    return True


def _import_group(group, options):
    from . import service

    global _reference
    if _reference is None:
        _reference = service.Reference.load()
    entries = service.import_in_batches(
        [(document, parsed) for _, document, parsed in group], options, _reference
    )
    return [(index, entry) for (index, _, _), entry in zip(group, entries, strict=True)]
