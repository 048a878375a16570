"""Whole-process time of `sbh` as a person runs it, against its targets and against Copier.

Timed: `sbh --version`, `sbh validate` and `sbh build --force` of examples/orders-api.yaml
into a new temporary directory, each a fresh process of the `sbh` console script beside the
Python running this bench (`make bench`: .venv/bin/sbh), RUNS times after one warm-up run;
min, median and max. The whole process is what a person waits for: interpreter start,
imports, the work and, for `build`, git init and the commit.

The yardstick is Copier (`copier copy --defaults --force --quiet`), the usual tool for
rendering a project template, on comparable work: the demo repository exactly as
`sbh build` writes it, turned into a Copier template. Every file that names the system, its
owner or its description becomes a Jinja template on those three variables (answered by
their defaults); every other file is copied as it is, as template-repo/ mixes templates and
plain files. Copier's output is checked once to be byte for byte SBH's. The comparison
favours Copier: it renders fewer files through Jinja (the count is in the results) than
SBH, whose template-repo/ files are mostly templates, and it neither validates a spec, fills
in defaults, escapes each value for HCL, YAML or shell, nor makes a git commit; `sbh build`
does all of that.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import summarize_seconds, venv_script, write_result
from renderers.complete import Spec, complete_defaults
from renderers.render import File, render
from renderers.spec import load_spec

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "orders-api.yaml"
RUNS = 9
TARGETS_S = {"validate": 0.3, "build": 0.5}
# Jinja delimiters for the Copier template that no file of the demo repository contains
# (its workflows hold `${{ }}` and its shell scripts `[[ ]]`); checked before use.
DELIMITERS = {
    "variable_start_string": "[[=",
    "variable_end_string": "=]]",
    "block_start_string": "[[%",
    "block_end_string": "%]]",
    "comment_start_string": "[[#",
    "comment_end_string": "#]]",
}


def timed(command: list[str], places: dict[str, Path]) -> dict[str, Any]:
    """min/median/max seconds of `command` as a whole process, after one warm-up run. Words
    of `command` that are keys of `places` stand for those paths; the one named OUT is
    removed after each run, so that every run writes into a new directory."""
    argv = [str(places.get(word, word)) for word in command]
    samples = []
    for run in range(RUNS + 1):
        started = time.perf_counter()
        subprocess.run(argv, cwd=REPO, capture_output=True, check=True)
        if run:
            samples.append(time.perf_counter() - started)
        shutil.rmtree(places["OUT"], ignore_errors=True)
    return {"argv": [Path(command[0]).name, *command[1:]], **summarize_seconds(samples)}


def copier_template(spec: Spec, files: dict[str, File], template: Path) -> int:
    """Write `files` as a Copier template into `template`; returns how many are templated."""
    variables = {"description": spec.description, "name": spec.name, "owner": spec.owner}
    starts = [mark for key, mark in DELIMITERS.items() if key.endswith("start_string")]
    opening, closing = DELIMITERS["variable_start_string"], DELIMITERS["variable_end_string"]
    templated = 0
    for relative, file in files.items():
        original = file.content.decode()
        if any(mark in original or mark in relative for mark in starts):
            sys.exit(f"{relative} contains a Copier delimiter: choose other DELIMITERS")
        text, path = original, relative
        for variable, value in variables.items():
            text = text.replace(value, f"{opening} {variable} {closing}")
            path = path.replace(value, f"{opening} {variable} {closing}")
        is_template = (text, path) != (original, relative)
        target = template / "project" / (f"{path}.jinja" if is_template else path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        target.chmod(file.mode)
        templated += is_template
    settings = {
        "_subdirectory": "project",
        "_templates_suffix": ".jinja",
        "_envops": {**DELIMITERS, "keep_trailing_newline": True},
        **{variable: {"type": "str", "default": value} for variable, value in variables.items()},
    }
    # JSON is YAML: copier.yml needs no YAML writer.
    (template / "copier.yml").write_text(json.dumps(settings, indent=2) + "\n")
    return templated


def same_tree(files: dict[str, File], directory: Path) -> bool:
    written = {
        str(path.relative_to(directory)): path.read_bytes()
        for path in directory.rglob("*")
        if path.is_file()
    }
    return written == {relative: file.content for relative, file in files.items()}


def main() -> None:
    sbh, copier = venv_script("sbh"), venv_script("copier")
    for script in (sbh, copier):
        if not script.exists():
            sys.exit(f"{script} is missing: run `make install` (copier is a dev dependency)")
    spec = complete_defaults(load_spec(EXAMPLE.read_text(), EXAMPLE.name))
    files = render(spec)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        template = scratch / "template"
        templated = copier_template(spec, files, template)
        copier_copy = [str(copier), "copy", "--defaults", "--force", "--quiet"]
        subprocess.run([*copier_copy, str(template), str(scratch / "check")], check=True)
        if not same_tree(files, scratch / "check"):
            sys.exit("Copier's output differs from the rendered demo: the comparison is off")
        spec_path = str(EXAMPLE.relative_to(REPO))
        places = {"TEMPLATE": template, "OUT": scratch / "out"}
        commands = {
            "sbh --version": [str(sbh), "--version"],
            "sbh validate": [str(sbh), "validate", spec_path],
            "sbh build": [str(sbh), "build", spec_path, "--out", "OUT", "--force"],
            "copier copy": [*copier_copy, "TEMPLATE", "OUT"],
        }
        results = {name: timed(command, places) for name, command in commands.items()}
    for name, target in TARGETS_S.items():
        measured = results[f"sbh {name}"]
        measured["target_median_s"] = target
        measured["meets_target"] = measured["median_s"] <= target
    ratio = results["sbh build"]["median_s"] / results["copier copy"]["median_s"]
    copier_version = subprocess.run(
        [str(copier), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    path = write_result(
        "cli",
        {
            "what": "whole-process sbh and copier copy on the demo spec (bench/cli_bench.py)",
            "runs": RUNS,
            "copier": copier_version,
            "demo_repository": {
                "files": len(files),
                "kib": round(sum(len(file.content) for file in files.values()) / 1024, 1),
                "templated_for_copier": templated,
            },
            "commands": results,
            "build_median_over_copier_median": ratio,
        },
    )
    for name, result in results.items():
        line = (
            f"{name:<14} min {result['min_s']:.3f}  median {result['median_s']:.3f}  "
            f"max {result['max_s']:.3f} s"
        )
        if "target_median_s" in result:
            verdict = "pass" if result["meets_target"] else "FAIL"
            line += f"  (target: median <= {result['target_median_s']} s: {verdict})"
        print(line)
    print(f"sbh build / copier copy: {ratio:.2f}x on the same {len(files)} files -> {path}")


if __name__ == "__main__":
    main()
