"""Public complaints under load: concurrent clients post to a running server on PostgreSQL.

A throwaway PostgreSQL (started and always removed by `scripts/with-postgres`), a migrated
database, and granian serving Probity with several workers on 127.0.0.1. Client threads post
COMPLAINTS complaints to `POST /api/v1/public/complaints` (the per-address limit is raised for
the run: every client posts from 127.0.0.1). Then every accepted submission is looked up by its
tracking code: each must be stored exactly once, as a received web allegation in the queue.

    python bench/run.py bench_portal_load
    PROBITY_BENCH_COMPLAINTS=500 python bench/run.py bench_portal_load   # a shorter run

Everything it starts is stopped, also on failure: granian is stopped by this process (in its
own process group), PostgreSQL by `scripts/with-postgres`, which this process runs under.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMPLAINTS = int(os.environ.get("PROBITY_BENCH_COMPLAINTS", "2000"))
CLIENTS = int(os.environ.get("PROBITY_BENCH_CLIENTS", "16"))
WORKERS = int(os.environ.get("PROBITY_BENCH_WORKERS", "2"))
THREADS_PER_WORKER = int(os.environ.get("PROBITY_BENCH_THREADS", "2"))
# Bounds: the posting phase stops at this many seconds, whatever is left; one request may wait
# this long for its answer.
POSTING_SECONDS = 600
REQUEST_TIMEOUT = 60
TARGET_PER_S = 100
PATH = "/api/v1/public/complaints"


def _complaints(count: int, seed: int = 7) -> list[bytes]:
    """Varied, unrelated complaints (as JSON), so that the duplicate finder sees a realistic stream."""
    from faker import Faker

    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(seed)
    rng = random.Random(seed)
    bodies = []
    for n in range(count):
        language = rng.choice(["en", "es"])
        body: dict[str, Any] = {
            "narrative": f"{fake.paragraph(nb_sentences=rng.randint(3, 12))} (complaint {n})",
            "concern": rng.choice(["", "rudeness", "force", "property", "custody", "other"]),
            "incident_date": fake.date_between(start_date="-5y", end_date="-1d").isoformat(),
            "incident_date_precision": rng.choice(["day", "day", "month"]),
            "place": fake.city(),
            "people": [
                {
                    "role": "subject",
                    "badge_number": f"B{rng.randint(10_000, 99_999)}",
                    "description": fake.sentence(),
                }
            ],
            "language": language,
        }
        if rng.random() < 0.5:
            body["complainant"] = {"name": fake.name(), "email": fake.email(), "contact_preference": "email"}
        bodies.append(json.dumps(body).encode())
    return bodies


@dataclass
class Tally:
    accepted: list[str] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(port: int, server: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"granian exited early with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not answer in time")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _cpu_seconds(pids: list[int], *, children: bool = False) -> float:
    """CPU time used so far by these processes (and, if asked, by their exited children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        total += int(fields[11]) + int(fields[12])
        if children:
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def _processes(*, field_index: int, value: int) -> list[int]:
    """Processes whose /proc stat field (0: state, 1: parent, 2: process group) has this value."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[field_index]) == value:
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return pids


def _group(pgid: int) -> list[int]:
    return _processes(field_index=2, value=pgid)


def _database_cpu(postmaster: int | None) -> float:
    """PostgreSQL's CPU: the server, its exited backends, and the backends still connected."""
    if postmaster is None:
        return 0.0
    live = _processes(field_index=1, value=postmaster)
    return _cpu_seconds([postmaster], children=True) + _cpu_seconds(live)


def _postmaster_pid() -> int | None:
    """The PostgreSQL server's process, whose exited backends' CPU time it accumulates."""
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
        data_dir = cursor.fetchone()[0]
    connection.close()
    try:
        return int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _post_all(port: int, tally: Tally, bodies: list[bytes]) -> float:
    """Post the complaints from CLIENTS threads, each on its own kept-alive connection."""
    counter = iter(range(len(bodies)))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + POSTING_SECONDS
    stop = threading.Event()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < deadline and not stop.is_set():
            with counter_lock:
                n = next(counter, None)
            if n is None:
                break
            payload = bodies[n]
            started = time.perf_counter()
            try:
                conn.request("POST", PATH, payload, {"Content-Type": "application/json"})
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                with tally.lock:
                    kind = type(error).__name__
                    tally.failures[kind] = tally.failures.get(kind, 0) + 1
                continue
            elapsed = time.perf_counter() - started
            with tally.lock:
                tally.latencies.append(elapsed)
                if response.status == 201:
                    tally.accepted.append(json.loads(answer)["tracking_code"])
                else:
                    tally.refused[response.status] = tally.refused.get(response.status, 0) + 1
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        try:
            for future in [pool.submit(client) for _ in range(CLIENTS)]:
                future.result()
        except BaseException:
            stop.set()  # interrupted: let the clients finish their request and stop
            raise
    return time.perf_counter() - started


def _verify(codes: list[str]) -> dict[str, int]:
    """How many accepted codes are missing, stored more than once, or not a received web allegation."""
    import django

    django.setup()
    from django.db.models import Count

    from probity.intake.models import (
        Allegation,
        AllegationStatus,
        Channel,
        DuplicateSuggestion,
        PublicSubmission,
    )

    counts = dict(
        PublicSubmission.objects.filter(tracking_code__in=codes)
        .values("tracking_code")
        .annotate(n=Count("pk"))
        .values_list("tracking_code", "n")
    )
    in_queue = (
        Allegation.objects.filter(
            public_submission__tracking_code__in=codes,
            channel=Channel.WEB,
            status=AllegationStatus.RECEIVED,
        )
        .values("pk")
        .distinct()
        .count()
    )
    return {
        "lost": sum(1 for code in codes if code not in counts),
        "duplicated": sum(1 for n in counts.values() if n > 1),
        "not_in_queue": len(set(codes)) - in_queue,
        "stored_total": PublicSubmission.objects.count(),
        "allegations_total": Allegation.objects.count(),
        "duplicate_suggestions": DuplicateSuggestion.objects.count(),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def inner() -> int:
    """Under scripts/with-postgres: migrate, serve, post, verify; print one JSON line per figure."""
    # A TERM or INT (from with-postgres, or Ctrl-C) unwinds through the `finally` that stops granian.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "PROBITY_DATABASE_URL" not in os.environ:
        raise RuntimeError("run through scripts/with-postgres (bench/run.py does)")
    with tempfile.TemporaryDirectory(prefix="probity-bench-portal-") as var_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "probity.settings",
            "PROBITY_VAR_DIR": var_dir,
            "PROBITY_DEBUG": "false",
            "PROBITY_PORTAL_SUBMISSIONS_PER_HOUR": str(10 * COMPLAINTS),
        }
        os.environ.update(env)
        (Path(var_dir) / "static").mkdir()  # none is served; this only quiets WhiteNoise
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "--verbosity", "0"], env=env, check=True
        )
        port = _free_port()
        granian = Path(sys.executable).parent / "granian"
        command = [str(granian), "--interface", "wsgi", "probity.wsgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--workers", str(WORKERS), "--blocking-threads"]
        # granian's default backpressure: capping it at the thread count starved some kept-alive
        # connections for a minute under saturation.
        command += [str(THREADS_PER_WORKER), "--log-level", "warning"]
        server = subprocess.Popen(
            command, env=env, cwd=PROJECT_DIR, stdout=sys.stderr, start_new_session=True
        )
        tally = Tally()
        bodies = _complaints(COMPLAINTS)
        try:
            _wait_ready(port, server)
            postmaster = _postmaster_pid()
            before = (_cpu_seconds(_group(server.pid)), _database_cpu(postmaster), time.process_time())
            seconds = _post_all(port, tally, bodies)
            app_cpu = _cpu_seconds(_group(server.pid)) - before[0]
            db_cpu = _database_cpu(postmaster) - before[1]
            client_cpu = time.process_time() - before[2]
        finally:
            _stop(server)
        checked = _verify(tally.accepted)
    accepted = len(tally.accepted)
    figures = [
        (
            f"public complaints accepted per second ({CLIENTS} clients, "
            f"granian {WORKERS}x{THREADS_PER_WORKER}, PostgreSQL)",
            round(accepted / seconds, 1) if seconds else 0.0,
            "submissions/s",
            TARGET_PER_S,
        ),
        (
            f"accepted public complaints lost or stored twice (of {accepted})",
            checked["lost"] + checked["duplicated"] + checked["not_in_queue"],
            "submissions",
            0,
        ),
        (
            f"public complaints refused or failed (of {COMPLAINTS}; by status {tally.refused}, "
            f"by error {tally.failures})",
            COMPLAINTS - accepted,
            "requests",
            0,
        ),
        (
            "public complaints stored whose answer did not reach the client (connection errors)",
            checked["stored_total"] - accepted,
            "submissions",
            0,
        ),
        (
            "public complaint answer time, 95th percentile",
            round(_percentile(tally.latencies, 0.95) * 1000),
            "ms",
            1000,
        ),
        # CPU per complaint (web processes; PostgreSQL and its backends): with this machine's
        # cores, what the server could sustain were nothing else running on it. 100/s on two
        # cores leaves 20 ms of CPU per complaint in all.
        ("web server CPU per accepted complaint", round(app_cpu * 1000 / max(accepted, 1), 1), "ms", 15),
        ("PostgreSQL CPU per accepted complaint", round(db_cpu * 1000 / max(accepted, 1), 1), "ms", 5),
        # Not the server's: the load generator shares the machine's cores, so what it uses is
        # not available to the server during the run.
        (
            f"load client CPU per accepted complaint ({CLIENTS} client threads, same machine)",
            round(client_cpu * 1000 / max(accepted, 1), 1),
            "ms",
            None,
        ),
        (
            f"public complaints per second the CPU allows ({os.cpu_count()} cores, nothing else running)",
            round((os.cpu_count() or 1) * accepted / max(app_cpu + db_cpu, 1e-9), 1),
            "submissions/s",
            TARGET_PER_S,
        ),
    ]
    for name, value, unit, target in figures:
        print(json.dumps({"name": name, "value": value, "unit": unit, "target": target}), flush=True)
    slow = sum(1 for t in tally.latencies if t > 5)
    longest = max(tally.latencies, default=0.0)
    print(
        f"bench_portal_load: {accepted} accepted in {seconds:.1f} s; slowest answer {longest:.1f} s, "
        f"{slow} over 5 s; database: {checked}",
        file=sys.stderr,
    )
    return 0


def run() -> Iterator[dict[str, Any]]:
    """Run `inner` under scripts/with-postgres and pass on its figures."""
    command = [str(PROJECT_DIR / "scripts" / "with-postgres"), sys.executable, __file__, "--inner"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    env.pop("PROBITY_DATABASE_URL", None)
    child = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert child.stdout is not None
        lines = child.stdout.readlines()
        status = child.wait()
    except BaseException:
        # with-postgres stops PostgreSQL (and passes the signal on) when terminated, not killed.
        child.terminate()
        child.wait(timeout=60)
        raise
    if status != 0:
        raise RuntimeError(f"the portal load benchmark failed (status {status})")
    for line in lines:
        if line.startswith("{"):
            yield json.loads(line)


if __name__ == "__main__":
    if sys.argv[1:] == ["--inner"]:
        sys.exit(inner())
    for figure in run():
        print(json.dumps(figure))
