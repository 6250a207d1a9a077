"""What users copy into their CI: the workflow files validate against their published schemas
(as vendored by check-jsonschema, offline), and the pre-commit hook runs under pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CI = ROOT / "docs" / "ci"


def _validate(schema: str, document: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            *extra,
            "--builtin-schema",
            schema,
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_github_workflow_validates_against_its_schema() -> None:
    done = _validate("vendor.github-workflows", CI / "github-actions.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_azure_pipeline_validates_against_its_schema() -> None:
    # the vendored Azure Pipelines schema uses escapes the default (ECMA) regex engine refuses
    done = _validate(
        "vendor.azure-pipelines", CI / "azure-pipelines.yml", "--regex-variant", "python"
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_examples_run_heiki_diff_against_the_target_branch() -> None:
    github = (CI / "github-actions.yml").read_text(encoding="utf-8")
    azure = (CI / "azure-pipelines.yml").read_text(encoding="utf-8")
    for text in (github, azure):
        assert "heiki diff --base-ref" in text
        assert "--format sarif" in text and "--format markdown" in text
    assert "github/codeql-action/upload-sarif" in github and "fetch-depth: 0" in github
    assert "CodeAnalysisLogs" in azure and 'fetchDepth: "0"' in azure


def test_the_hook_manifest_is_valid() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-manifest",
            str(ROOT / ".pre-commit-hooks.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _git(where: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", "-C", str(where), *args], check=True, capture_output=True, text=True, env=env
    ).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_pre_commit_hook_runs_heiki_check(tmp_path: Path) -> None:
    """pre-commit installs heiki from a repository holding this checkout's hook manifest and
    package, then runs the hook on a project: a closed design passes, an open one fails."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, hooks / name)
    shutil.copytree(ROOT / "src", hooks / "src", ignore=shutil.ignore_patterns("__pycache__"))
    _git(hooks, "init", "-q")
    _git(hooks, "add", "-A")
    _git(hooks, "commit", "-q", "-m", "hooks")
    revision = _git(hooks, "rev-parse", "HEAD").strip()
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    design = ROOT / "src" / "heiki" / "designs"
    (project / "env.yaml").write_text(
        (design / "closed-aml.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {revision}\n    hooks:\n"
        "      - id: heiki-check\n        args: [env.yaml]\n",
        encoding="utf-8",
    )
    _git(project, "add", "-A")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=600,
            env=environment,
        )

    passed = run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "heiki check" in passed.stdout and "Passed" in passed.stdout
    (project / "env.yaml").write_text(
        (design / "nsg-only.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    failed = run()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout and "EXF001" in failed.stdout
