"""Batch extraction on Ray: several endpoints, one Extractor per worker, the local batch's guarantees.

    extract batch docs/ --out results.jsonl --ray --base-url http://gpu1:8000/v1 --base-url http://gpu2:8000/v1

The driver (the `extract batch` process) does everything a local batch does through
`extract.batch.run_records`: it reads the inputs, decides what resume skips, writes each record
whole to the one results.jsonl as it comes back, draws the progress bar and prints the summary.
Workers only extract: each is a Ray actor holding one `Extractor` bound to one endpoint (or to
its own embedded model), and it sends back the finished record, built by the same
`record_of` as a local run, so the lines are the same.

Concurrency: each endpoint has a cap on requests in flight (`--concurrency`, or per endpoint in
an endpoints file), split between the workers bound to it; the driver never gives a worker
more documents than its share, so the endpoint never sees more than its cap.

A worker that dies (killed, out of memory, its node gone) loses only what it had in flight: Ray
restarts the actor (a fresh Extractor) and the driver puts those documents back at the head of
the queue for whichever worker is free first. A document is written only when a worker
returned its record, so nothing is written twice; a document whose workers died
`MAX_WORKER_LOSSES` times is recorded as failed (reason `worker_lost`), and if every worker is
gone for good the rest are recorded with reason `no_workers`: every document ends with a line.

Cache: per node. Each worker opens the diskcache at the configured cache folder on its own node
(`--cache-dir`, EXTRACT_CACHE_DIR or the config file, used as given on every node; otherwise
that node's default ~/.cache/extract/results). diskcache is SQLite: safe across the processes of
one node, not over a network file system, so no shared store. Keys are unchanged, and include
the endpoint's URL, so a local run and a Ray run against the same endpoint on the same node
share entries. What makes a rerun cheap on a cluster is resume (the driver's results.jsonl),
not the cache. See README, "Batch on a Ray cluster".
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from extract.batch import BatchSummary, record_of, run_records
from extract.config import Settings, check_base_url, redact_url, user_cache_dir
from extract.retry import ExtractionError

log = logging.getLogger("extract.cluster")

MAX_WORKER_LOSSES = 3  # times a document may lose its worker before it is recorded as failed
ACTOR_RESTARTS = 4  # times Ray restarts one worker (a fresh process and Extractor) before it is gone


class ClusterError(ValueError):
    """Bad cluster options (endpoints, workers, Ray missing or unreachable): one line, exit 2."""


class WorkerLost(ExtractionError):
    """A document whose Ray workers kept dying under it."""

    reason = "worker_lost"


class NoWorkers(ExtractionError):
    """Every Ray worker is gone for good (restarts used up), so the rest cannot run."""

    reason = "no_workers"


@dataclass(frozen=True)
class EndpointSpec:
    base_url: str | None  # None: each worker bound to it starts its own embedded model
    concurrency: int  # requests in flight at once towards this endpoint, all its workers together

    @property
    def label(self) -> str:
        return redact_url(self.base_url) if self.base_url else "embedded"


@dataclass(frozen=True)
class WorkerPlan:
    endpoint: EndpointSpec
    concurrency: int  # this worker's share of the endpoint's cap


def read_endpoints_file(path: Path, default_concurrency: int) -> list[EndpointSpec]:
    """One endpoint a line: `URL` or `URL CONCURRENCY`; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ClusterError(f"--endpoints {path}: {exc.strerror or exc}") from None
    specs = []
    for lineno, line in enumerate(lines, 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and not words[1].isdigit()):
            raise ClusterError(f"{path}:{lineno}: expected `URL` or `URL CONCURRENCY`")
        cap = int(words[1]) if len(words) == 2 else default_concurrency
        specs.append(_spec(words[0], cap, f"{path}:{lineno}"))
    if not specs:
        raise ClusterError(f"--endpoints {path} names no endpoint")
    return specs


def _spec(url: str, concurrency: int, where: str) -> EndpointSpec:
    try:
        check_base_url(url)
    except ValueError as exc:
        raise ClusterError(f"{where}: {exc}") from None
    if concurrency < 1:
        raise ClusterError(f"{where}: concurrency must be at least 1")
    return EndpointSpec(url, concurrency)


def endpoint_specs(base_urls: list[str], endpoints_file: Path | None, default_concurrency: int) -> list[EndpointSpec]:
    """The endpoints of `--base-url` (repeated) and `--endpoints FILE`, in that order, no URL twice.
    None of either: one embedded "endpoint" (each worker starts its own model)."""
    specs = [_spec(url, default_concurrency, "--base-url") for url in base_urls]
    if endpoints_file is not None:
        specs += read_endpoints_file(endpoints_file, default_concurrency)
    seen: set[str] = set()
    for spec in specs:
        if spec.base_url in seen:
            raise ClusterError(f"endpoint {spec.label} is named twice")
        seen.add(spec.base_url or "")
    return specs or [EndpointSpec(None, default_concurrency)]


def plan_workers(endpoints: list[EndpointSpec], workers: int | None) -> list[WorkerPlan]:
    """Workers round-robin over the endpoints (default: one per endpoint), each endpoint's cap split
    between its workers. Embedded: `workers` workers (default 1), each with its own model."""
    if endpoints[0].base_url is None:
        count = workers or 1
        if count < 1:
            raise ClusterError("--workers must be at least 1")
        return [WorkerPlan(endpoints[0], endpoints[0].concurrency) for _ in range(count)]
    count = workers or len(endpoints)
    if count < len(endpoints):
        raise ClusterError(f"--workers {count} leaves endpoints unused: give at least one worker per endpoint ({len(endpoints)})")
    bound: dict[int, int] = Counter(i % len(endpoints) for i in range(count))
    plans = []
    for i in range(count):
        e = i % len(endpoints)
        spec, k = endpoints[e], bound[e]
        rank = i // len(endpoints)  # this worker's place among the endpoint's workers
        share = spec.concurrency // k + (1 if rank < spec.concurrency % k else 0)
        if share < 1:
            raise ClusterError(f"endpoint {spec.label}: concurrency {spec.concurrency} is less than its {k} workers")
        plans.append(WorkerPlan(spec, share))
    return plans


class ExtractWorker:
    """One worker process (a Ray actor): one Extractor bound to one endpoint. Its methods run in
    a small thread pool (Ray's threaded actor), at most the driver's share for it at once."""

    def __init__(self, settings: Settings, model_path: str | None, node_cache: bool) -> None:
        from extract.extractor import Extractor

        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        logging.getLogger("instructor").setLevel(logging.CRITICAL)  # its retry log duplicates ours
        if node_cache:  # the driver's default folder means "this node's default folder"
            settings = replace(settings, cache_dir=user_cache_dir() / "results")
        self.extractor = Extractor(settings=settings, model_path=model_path)

    def extract(self, doc_id: str, text: str, schema: str | None, strategy: str | None) -> dict[str, Any]:
        from extract.extractor import document_error

        try:
            outcome: Any = self.extractor.extract(text, schema, strategy)
        except Exception as exc:
            outcome = document_error(doc_id, exc)
        return record_of(doc_id, outcome)

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        self.extractor.close()


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ClusterError("ray is not installed: install the project's cluster extra (pip install -e '.[cluster]')") from None
    return ray


def connect(address: str | None, num_cpus: int | None = None) -> bool:
    """Join the cluster at `address` ("auto": the one this node belongs to), or start a local Ray
    instance. An already connected process (a notebook, a test) keeps its instance. True when
    this call connected, so the caller disconnects (and stops a local instance) at the end."""
    ray = _ray()
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": True}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterError(f"cannot {'join Ray at ' + address if address else 'start Ray'}: {exc}") from None
    return True


@dataclass
class _Worker:
    plan: WorkerPlan
    handle: Any
    load: int = 0
    alive: bool = True
    probing: bool = False  # lost a call; takes no new documents until it answers a ping
    ping_after: float = 0.0  # monotonic time of the next ping while probing
    pinging: bool = False


class RayRunner:
    """A `batch.Runner` on Ray: starts the workers, feeds them documents within their shares,
    yields records as they come back, and puts back what a dead worker had in flight."""

    def __init__(
        self,
        settings: Settings,
        plans: list[WorkerPlan],
        *,
        schema: str | None = None,
        strategy: str | None = None,
        model_path: str | None = None,
        worker_cpus: float | None = None,
        address: str | None = None,
    ) -> None:
        self.settings = settings
        self.address = address
        self._connected = False
        self.plans = plans
        self.schema = schema
        self.strategy = strategy
        self.model_path = model_path
        # Remote endpoints: workers mostly wait on HTTP, so a quarter of a CPU each. Embedded:
        # a whole one (llama.cpp uses every core it is given; see README).
        embedded = plans[0].endpoint.base_url is None
        self.worker_cpus = worker_cpus if worker_cpus is not None else (1.0 if embedded else 0.25)
        self.workers: list[_Worker] = []
        self.losses: Counter[str] = Counter()  # per document: calls lost with their worker

    def start(self) -> None:
        """Connect (see `connect`) and start the workers; done by the first call with documents."""
        self._connected = connect(self.address)
        ray = _ray()
        largest = max((n["Resources"].get("CPU", 0.0) for n in ray.nodes() if n.get("Alive")), default=0.0)
        if self.worker_cpus > largest:  # Ray would leave the workers pending forever, silently
            self.close()
            raise ClusterError(
                f"each worker reserves {self.worker_cpus:g} CPUs (--worker-cpus) but no Ray node has more than {largest:g}"
            )
        actor = ray.remote(ExtractWorker)
        node_cache = self.settings.cache_dir == Settings().cache_dir
        for plan in self.plans:
            settings = replace(self.settings, base_url=plan.endpoint.base_url, concurrency=plan.concurrency)
            handle = actor.options(
                num_cpus=self.worker_cpus,
                max_concurrency=plan.concurrency + 1,  # + 1: a ping is answered while the share runs
                max_restarts=ACTOR_RESTARTS,
                max_task_retries=0,  # lost calls come back here and are requeued by the driver
            ).remote(settings, self.model_path, node_cache)
            self.workers.append(_Worker(plan, handle))

    def worker_pids(self, wait: float = 60.0) -> list[int]:
        """The live workers' process ids; a restarting worker is waited for (up to `wait` s)."""
        ray = _ray()
        from ray.exceptions import ActorUnavailableError

        deadline = time.monotonic() + wait
        pids = []
        for w in self.workers:
            while w.alive:
                try:
                    pids.append(ray.get(w.handle.pid.remote()))
                    break
                except ActorUnavailableError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        return pids

    def stop(self) -> None:
        """Kill the workers at once (Ctrl-C or the end): an unfinished document has no line and
        is redone on resume, so waiting out its request buys nothing."""
        if not self.workers:
            return
        ray = _ray()
        for w in self.workers:
            try:
                ray.kill(w.handle, no_restart=True)
            except Exception as exc:  # already gone
                log.debug("kill worker: %s", exc)
        self.workers = []

    def close(self) -> None:
        """Stop the workers; leave Ray if `start` joined it (a local instance stops with it)."""
        self.stop()
        if self._connected:
            _ray().shutdown()
            self._connected = False

    def __call__(self, pairs: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        ray = _ray()
        from ray.exceptions import RayError

        if not pairs:  # all done already (resume): no need for Ray at all
            return
        if not self.workers:
            self.start()
        queue: deque[tuple[str, str]] = deque(pairs)
        calls: dict[Any, tuple[_Worker, str, str]] = {}  # in flight: ref -> (worker, id, text)
        pings: dict[Any, _Worker] = {}
        while queue or calls:
            live = [w for w in self.workers if w.alive]
            if not live:
                while queue:
                    yield record_of(queue.popleft()[0], NoWorkers("every Ray worker died and could not be restarted"))
                break
            now = time.monotonic()
            for w in sorted(live, key=lambda w: w.load / w.plan.concurrency):  # least loaded first
                if w.probing and not w.pinging and now >= w.ping_after:
                    pings[w.handle.pid.remote()] = w
                    w.pinging = True
                while queue and not w.probing and w.load < w.plan.concurrency:
                    doc_id, text = queue.popleft()
                    calls[w.handle.extract.remote(doc_id, text, self.schema, self.strategy)] = (w, doc_id, text)
                    w.load += 1
            waiting = list(calls) + list(pings)
            if not waiting:  # every live worker is probing, between pings
                time.sleep(0.1)
                continue
            ready, _ = ray.wait(waiting, num_returns=1, timeout=1.0)
            for ref in ready:
                if ref in pings:
                    self._pinged(pings.pop(ref), ref)
                    continue
                w, doc_id, text = calls.pop(ref)
                w.load -= 1
                try:
                    record = ray.get(ref)
                except RayError as exc:
                    # The worker died with the call (killed, crashed, node lost): not the
                    # document's failure. Back to the head of the queue for any worker.
                    self.losses[doc_id] += 1
                    log.warning("document %s lost its Ray worker (%s); retrying", doc_id, type(exc).__name__)
                    if self.losses[doc_id] >= MAX_WORKER_LOSSES:
                        yield record_of(doc_id, WorkerLost(f"its Ray worker died {self.losses[doc_id]} times"))
                    else:
                        queue.appendleft((doc_id, text))
                    w.probing = True  # no more documents for it until it answers again
                    continue
                yield record

    def _pinged(self, w: _Worker, ref: Any) -> None:
        ray = _ray()
        from ray.exceptions import ActorDiedError, RayError

        w.pinging = False
        try:
            ray.get(ref)
            w.probing = False
        except ActorDiedError:  # restarts used up (ActorUnavailableError while restarting)
            log.warning("a Ray worker for %s is gone for good", w.plan.endpoint.label)
            w.alive = False
        except RayError:  # restarting: ask again shortly
            w.ping_after = time.monotonic() + 0.2


def run_cluster_batch(
    settings: Settings,
    inputs: list[Path],
    *,
    endpoints: list[EndpointSpec],
    workers: int | None = None,
    address: str | None = None,
    out: Path | None,
    out_dir: Path | None,
    schema: str | None = None,
    strategy: str | None = None,
    resume: bool = True,
    show_progress: bool = True,
    model_path: str | None = None,
    worker_cpus: float | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """`extract batch --ray`: the same records, resume, progress and summary as `run_batch`."""
    runner = RayRunner(
        settings, plan_workers(endpoints, workers), schema=schema, strategy=strategy, model_path=model_path,
        worker_cpus=worker_cpus, address=address,
    )  # fmt: skip
    try:
        return run_records(
            runner, inputs, out=out, out_dir=out_dir, resume=resume, show_progress=show_progress, on_record=on_record
        )
    finally:
        runner.close()
