"""Each lab's claims, re-run with the solution's own code on seeds and splits the notebook never uses.

Usage::

    python benchmarks/claims.py [LAB ...] [--seeds N]

A notebook's words about a result ("reliably helps", "on every split", "largest where labels are fewest") must
match what this table shows. Each lab lists its claims in ``benchmarks/lab_claims/<lab>.py`` as :class:`Claim`
objects: the words, and a function that re-runs the notebook's recipe on one new seed and returns the gain. The
table gives, per claim, the mean and spread of the gain and on how many seeds its sign is the one the words
promise. The solution's functions come from the solution notebook itself (:func:`solution_namespace`), so the
table measures the code students are compared with. Claims that read one run of a recipe share it (:func:`per_seed`)
and read it with :func:`difference` or :func:`reading`.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import statistics
import sys
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dcai_helpers.course.notebooks import SOLUTION_MARKERS, is_solution_cell, read_notebook
from dcai_helpers.labs import LABS, get_lab
from dcai_helpers.verdicts.trusted import TestPlan

#: Seeds the notebooks never use: each lab's notebook uses seed 0 (and small ones for its repeats).
FRESH_SEEDS = tuple(range(1001, 1051))


@dataclass(frozen=True)
class Claim:
    """One thing a notebook says about a result.

    Attributes
    ----------
    says : str
        The claim, in the notebook's words (or close to them).
    gain : callable
        ``gain(namespace, seed)``: the recipe run on ``seed`` with the solution's functions from ``namespace``;
        returns the gain the claim is about (after minus before, in the headline's unit).
    n_seeds : int
        How many fresh seeds to run (more where cheap).
    sign : int
        +1 when the words promise a gain, -1 a loss, 0 when they promise nothing about the sign (a spread).
    """

    says: str
    gain: Callable[[dict, int], float]
    n_seeds: int = 5
    sign: int = 1


def per_seed(run: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a recipe so that it runs once per seed, and its claims share that run.

    Parameters
    ----------
    run : callable
        ``run(namespace, seed, *args)``: the recipe on one fresh seed. Extra positional arguments, if any, must be
        hashable: each ``(seed, *args)`` runs once.

    Returns
    -------
    callable
        ``cached(namespace, seed, *args)``: ``run``'s result for ``(seed, *args)``, computed on the first call and
        returned as is (the same object) on later ones. The namespace is not part of the key: every claim of a lab
        reads the same solution, so the first claim's run serves the others. ``cached.cache`` holds the results.
    """
    cache: dict[tuple[Hashable, ...], Any] = {}

    @functools.wraps(run)
    def cached(namespace: dict, seed: int, *args: Hashable) -> Any:
        key = (seed, *args)
        if key not in cache:
            cache[key] = run(namespace, seed, *args)
        return cache[key]

    cached.cache = cache  # type: ignore[attr-defined]
    return cached


def difference(run: Callable[[dict, int], Any], after: Hashable, before: Hashable) -> Callable[[dict, int], float]:
    """A gain read from one run: its ``after`` entry minus its ``before`` entry.

    Parameters
    ----------
    run : callable
        ``run(namespace, seed)``: the recipe on one seed (usually :func:`per_seed`-cached), returning a mapping.
    after, before : hashable
        The two keys of that mapping (a string, or a tuple such as ``("plain", "tuned")``).

    Returns
    -------
    callable
        ``gain(namespace, seed) = run(namespace, seed)[after] - run(namespace, seed)[before]``, for :class:`Claim`.
    """

    def gain(namespace: dict, seed: int) -> float:
        result = run(namespace, seed)
        return result[after] - result[before]

    gain.__doc__ = f"{after!r} minus {before!r}, from {getattr(run, '__name__', 'the run')}."
    return gain


def reading(run: Callable[[dict, int], Any], key: Hashable) -> Callable[[dict, int], float]:
    """A gain the run reports directly: its ``key`` entry.

    Parameters
    ----------
    run : callable
        ``run(namespace, seed)``: the recipe on one seed (usually :func:`per_seed`-cached), returning a mapping.
    key : hashable
        The entry of that mapping the claim is about.

    Returns
    -------
    callable
        ``gain(namespace, seed) = run(namespace, seed)[key]``, for :class:`Claim`.
    """

    def gain(namespace: dict, seed: int) -> float:
        return run(namespace, seed)[key]

    gain.__doc__ = f"{key!r}, from {getattr(run, '__name__', 'the run')}."
    return gain


def solution_namespace(lab_id: str) -> dict:
    """The lab's prelude (imports, definitions, constants of its given cells) and its solution cells' definitions."""
    nb = read_notebook(get_lab(lab_id).solution)
    namespace: dict = {"__name__": f"claims_{lab_id}"}
    exec(compile(TestPlan.from_notebook(nb).prelude, f"<{lab_id} prelude>", "exec"), namespace)  # noqa: S102
    for cell in nb.cells:
        if cell.cell_type != "code" or not is_solution_cell(cell):
            continue
        source = "\n".join(line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS)
        definitions = [
            node
            for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom)
        ]
        exec(compile(ast.Module(body=definitions, type_ignores=[]), f"<{lab_id} solutions>", "exec"), namespace)  # noqa: S102
    return namespace


def claims_of(lab_id: str) -> list[Claim]:
    """The claims ``benchmarks/lab_claims/<lab>.py`` lists (none when the file is missing)."""
    if not (Path(__file__).parent / "lab_claims" / f"{lab_id}.py").is_file():
        return []
    return list(importlib.import_module(f"lab_claims.{lab_id}").CLAIMS)


def measure(lab_id: str, claim: Claim, n_seeds: int | None = None) -> dict:
    """Run ``claim`` on fresh seeds; its gains and summary."""
    namespace = solution_namespace(lab_id)
    seeds = FRESH_SEEDS[: n_seeds or claim.n_seeds]
    start = time.perf_counter()
    gains = [float(claim.gain(namespace, seed)) for seed in seeds]
    holds = sum(1 for g in gains if (g > 0 if claim.sign > 0 else g < 0 if claim.sign < 0 else True))
    return {
        "lab": lab_id,
        "says": claim.says,
        "seeds": len(seeds),
        "mean": statistics.fmean(gains),
        "std": statistics.stdev(gains) if len(gains) > 1 else 0.0,
        "min": min(gains),
        "max": max(gains),
        "holds": holds,
        "sign": claim.sign,
        "seconds": time.perf_counter() - start,
    }


def table(rows: Sequence[dict]) -> str:
    """The Markdown table of measured claims."""
    lines = [
        "| lab | claim | seeds | mean gain | spread (std) | min | max | sign holds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        holds = f"{r['holds']}/{r['seeds']}" if r["sign"] else "(no sign claimed)"
        lines.append(
            f"| {r['lab']} | {r['says']} | {r['seeds']} | {r['mean']:+.3f} | {r['std']:.3f} | {r['min']:+.3f} | "
            f"{r['max']:+.3f} | {holds} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", help="lab ids (default: all)")
    parser.add_argument("--seeds", type=int, default=None, help="fresh seeds per claim (default: each claim's own)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).parent))
    labs = [get_lab(lab_id) for lab_id in args.labs] if args.labs else list(LABS)
    rows = []
    for lab in labs:
        for claim in claims_of(lab.id):
            rows.append(measure(lab.id, claim, args.seeds))
            row = rows[-1]
            print(f"{lab.id}: {claim.says}: {row['mean']:+.3f} ({row['seconds']:.0f} s)", file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
