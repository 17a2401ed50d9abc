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
THREADS_PER_WORKER = int(os.environ.get("PROBITY_BENCH_THREADS", "4"))
# Bounds: the posting phase stops at this many seconds, whatever is left; one request may wait
# this long for its answer.
POSTING_SECONDS = 600
REQUEST_TIMEOUT = 60
TARGET_PER_S = 100
PATH = "/api/v1/public/complaints"

WORDS = (
    "the officer at the booth took my passport and shouted at my children then kept us waiting "
    "for hours without water and would not give his name el agente nos gritó y se quedó con "
    "mis documentos durante la revisión en la garita sin explicar por qué"
).split()


def _complaint(rng: random.Random, n: int) -> dict[str, Any]:
    narrative = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160)))
    body: dict[str, Any] = {
        "narrative": f"Complaint {n}: {narrative}",
        "concern": rng.choice(["", "rudeness", "force", "property", "custody"]),
        "incident_date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "incident_date_precision": rng.choice(["day", "month"]),
        "place": rng.choice(["San Ysidro", "Nogales DeConcini", "El Paso, Bridge of the Americas", ""]),
        "people": [{"role": "subject", "badge_number": f"B{rng.randint(1000, 9999)}"}],
        "language": rng.choice(["en", "es"]),
    }
    if rng.random() < 0.5:
        body["complainant"] = {
            "name": f"Person {n}",
            "email": f"person{n}@example.com",
            "contact_preference": "email",
        }
    return body


@dataclass
class Tally:
    accepted: list[str] = field(default_factory=list)
    refused: dict[int, int] = field(default_factory=dict)
    failures: int = 0
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


def _post_all(port: int, tally: Tally) -> float:
    """Post COMPLAINTS complaints from CLIENTS threads, each on its own kept-alive connection."""
    counter = iter(range(COMPLAINTS))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + POSTING_SECONDS

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < deadline:
            with counter_lock:
                n = next(counter, None)
            if n is None:
                break
            payload = json.dumps(_complaint(rng, n)).encode()
            started = time.perf_counter()
            try:
                conn.request("POST", PATH, payload, {"Content-Type": "application/json"})
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
                with tally.lock:
                    tally.failures += 1
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
        for future in [pool.submit(client, seed) for seed in range(CLIENTS)]:
            future.result()
    return time.perf_counter() - started


def _verify(codes: list[str]) -> dict[str, int]:
    """How many accepted codes are missing, stored more than once, or not a received web allegation."""
    import django

    django.setup()
    from django.db.models import Count

    from probity.intake.models import Allegation, AllegationStatus, Channel, PublicSubmission

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
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def inner() -> int:
    """Under scripts/with-postgres: migrate, serve, post, verify; print one JSON line per figure."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops granian
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
        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "--verbosity", "0"], env=env, check=True
        )
        port = _free_port()
        granian = Path(sys.executable).parent / "granian"
        command = [str(granian), "--interface", "wsgi", "probity.wsgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--workers", str(WORKERS), "--blocking-threads"]
        command += [str(THREADS_PER_WORKER), "--backpressure", str(THREADS_PER_WORKER), "--log-level", "warning"]
        server = subprocess.Popen(
            command, env=env, cwd=PROJECT_DIR, stdout=sys.stderr, start_new_session=True
        )
        tally = Tally()
        try:
            _wait_ready(port, server)
            seconds = _post_all(port, tally)
        finally:
            _stop(server)
        checked = _verify(tally.accepted)
    accepted = len(tally.accepted)
    figures = [
        (f"public complaints accepted per second ({CLIENTS} clients, granian {WORKERS}x{THREADS_PER_WORKER}, "
         "PostgreSQL)", round(accepted / seconds, 1) if seconds else 0.0, "submissions/s", TARGET_PER_S),
        (f"accepted public complaints lost or stored twice (of {accepted})",
         checked["lost"] + checked["duplicated"] + checked["not_in_queue"], "submissions", 0),
        (f"public complaints refused or failed (of {COMPLAINTS}; by status {tally.refused})",
         COMPLAINTS - accepted, "requests", 0),
        ("public complaint answer time, 95th percentile", round(_percentile(tally.latencies, 0.95) * 1000),
         "ms", 1000),
    ]
    for name, value, unit, target in figures:
        print(json.dumps({"name": name, "value": value, "unit": unit, "target": target}), flush=True)
    if checked["stored_total"] != accepted or checked["allegations_total"] != accepted:
        print(f"bench_portal_load: stored {checked} for {accepted} accepted", file=sys.stderr)
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
