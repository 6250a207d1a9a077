"""The ``heiki`` command: a thin shell over the library (results on stdout, problems on stderr).

Exit codes (documented in the README):
  0  clean: no finding at or above ``--fail-on``
  1  findings at or above ``--fail-on``
  2  usage or input error (bad file, bad blueprint, unknown design)
"""

from __future__ import annotations

import gc
import io
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console

from heiki import __version__
from heiki.defaults import (
    DEFAULT_LOCATION,
    DEFAULT_RESOURCE_GROUP,
    DEFAULT_SUBSCRIPTION,
    DeploymentTarget,
)

# Each command imports the layers it runs (sources, analyses, reports, generators) when it runs:
# `heiki --version` and `heiki --help` load none of them, and `heiki check` no generator.
if TYPE_CHECKING:
    from heiki.diagnostics import Diagnostic, InputError
    from heiki.generators.deployment import ArmDeployment
    from heiki.sources import LoadResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


def _stdout(markup: bool = False) -> Console:
    # A fixed width when piped keeps the output the same bytes on every machine. Reports are
    # data, not markup: a cell "[compute]" or ":warning:" is printed as written (only `show`
    # styles its headings with markup).
    return Console(
        highlight=False,
        soft_wrap=False,
        markup=markup,
        emoji=False,
        width=None if sys.stdout.isatty() else 160,
    )


def _file_console(markup: bool = False) -> Console:
    """A text report written to a file: the width and reading of a piped stdout."""
    return Console(
        record=True, highlight=False, markup=markup, emoji=False, width=160, file=io.StringIO()
    )


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def _fail_input(error: InputError) -> NoReturn:
    console = _stderr()
    for diagnostic in error.diagnostics:
        console.print(str(diagnostic), markup=False)
    sys.exit(EXIT_ERROR)


def _deployment_target() -> DeploymentTarget | None:
    meta = click.get_current_context().meta
    given = [meta.get(k) for k in ("subscription", "resource_group", "location")]
    # None: not given, so a blueprint (which states its own location) is not refused for them
    if all(value is None for value in given):
        return None
    return DeploymentTarget(
        subscription_id=DEFAULT_SUBSCRIPTION if given[0] is None else given[0],
        resource_group=DEFAULT_RESOURCE_GROUP if given[1] is None else given[1],
        location=DEFAULT_LOCATION if given[2] is None else given[2],
    )


def _load(source: tuple[str, ...], onprem: str | None) -> LoadResult:
    from heiki.diagnostics import InputError
    from heiki.sources import load

    meta = click.get_current_context().meta
    try:
        return load(
            source,
            onprem,
            meta.get("parameters") or (),
            _deployment_target(),
            meta.get("var_files") or (),
            meta.get("variables") or (),
            meta.get("allow_outside") or (),
        )
    except InputError as error:
        _fail_input(error)


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    assert param.name is not None
    ctx.meta[param.name] = value
    return value


def ARM_OPTS(command: Callable[..., None]) -> Callable[..., None]:
    """The deployment context of ARM inputs, shared by every command that loads a source."""
    options = [
        click.option(
            "--parameters",
            "parameters",
            multiple=True,
            metavar="FILE|NAME=VALUE",
            expose_value=False,
            callback=_remember,
            help="ARM parameter file, or one parameter as NAME=VALUE (repeatable; a later value "
            "wins, as with az deployment).",
        ),
        click.option(
            "--var",
            "variables",
            multiple=True,
            metavar="NAME=VALUE",
            expose_value=False,
            callback=_remember,
            help="Terraform variable for a folder input (repeatable; wins over tfvars files).",
        ),
        click.option(
            "--var-file",
            "var_files",
            multiple=True,
            type=click.Path(dir_okay=False),
            expose_value=False,
            callback=_remember,
            help="Terraform .tfvars file for a folder input (repeatable; after terraform.tfvars "
            "and *.auto.tfvars).",
        ),
        click.option(
            "--allow-outside",
            "allow_outside",
            multiple=True,
            type=click.Path(file_okay=False),
            expose_value=False,
            callback=_remember,
            help="Folder outside the input's own tree that linked templates "
            "(templateLink.relativePath) and Terraform module sources may be read from "
            "(repeatable; a Terraform root module's tree is its Git work tree, else its "
            "folder).",
        ),
        click.option(
            "--subscription",
            expose_value=False,
            callback=_remember,
            help=f"Subscription ID for ARM templates [default: {DEFAULT_SUBSCRIPTION}].",
        ),
        click.option(
            "--resource-group",
            expose_value=False,
            callback=_remember,
            help=f"Resource group for ARM templates [default: {DEFAULT_RESOURCE_GROUP}].",
        ),
        click.option(
            "--location",
            expose_value=False,
            callback=_remember,
            help=f"Location of the resource group [default: {DEFAULT_LOCATION}].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _print_warnings(diagnostics: tuple[Diagnostic, ...]) -> None:
    console = _stderr()
    for diagnostic in diagnostics:
        console.print(str(diagnostic), markup=False)


SOURCE_ARG = click.argument("source", nargs=-1, metavar="[DESIGN|FILE...]")
ONPREM_OPT = click.option(
    "--onprem",
    type=click.Path(dir_okay=False),
    default=None,
    help="On-premises description (YAML with an `onprem:` section) to use instead of the source's.",
)
FORMAT_OPT = click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TEXT.value,
    show_default=True,
)


OUTPUT_OPT = click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to this file (whole or not at all) instead of stdout.",
)
FORCE_OPT = click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")


def RULE_OPTS(command: Callable[..., None]) -> Callable[..., None]:
    """Which rules run and how they are configured: shared by ``check`` and ``diff``."""
    options = [
        click.option(
            "--select", multiple=True, help="Only rules whose ID starts with this (repeatable)."
        ),
        click.option(
            "--ignore", multiple=True, help="Skip rules whose ID starts with this (repeatable)."
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            default=None,
            help="Configuration file [default: ./heiki.toml, else [tool.heiki] in "
            "./pyproject.toml].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _emit(text: str, output_file: str | None, force: bool) -> None:
    """The report to stdout, or to ``--output`` (an existing file only with --force)."""
    if output_file is None:
        sys.stdout.write(text)
        return
    from heiki import diagnostics as dx
    from heiki.cli.output import OutputError, OutputNotEmpty, write_report
    from heiki.diagnostics import Diagnostic, InputError, Severity
    from heiki.model.source import SourceLocation

    try:
        write_report(Path(output_file), text, force)
        return
    except OutputNotEmpty as error:
        code, message = dx.OUTPUT_EXISTS, "exists; nothing written (use --force to overwrite)"
        where = error.path
    except OutputError as error:
        code, message = dx.OUTPUT_UNWRITABLE, f"{error.message}; nothing written"
        where = error.path
    _fail_input(InputError(Diagnostic(code, Severity.ERROR, message, SourceLocation(where))))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="heiki")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    help="Show the traceback of an internal error (INT002) instead of the summary.",
)
@click.option(
    "--max-input-mb",
    type=click.IntRange(1, 65536),
    default=256,
    show_default=True,
    help="Refuse input files larger than this (IN004); YAML files are read up to 10 MB.",
)
def cli(max_input_mb: int) -> None:
    """heiki - prove offline that a closed Azure ML environment is closed and workable.

    DESIGN is a built-in design (see `heiki designs`); FILE is a blueprint YAML file, ARM
    inputs (.json templates with --parameters, .bicep, JSON arrays of deployed resources) or a
    Terraform root-module folder (with --var / --var-file), several of which are merged. Without either, the reference design closed-aml is used.
    """
    from heiki.inputs import set_input_limit

    set_input_limit(max_input_mb * 1024 * 1024)


@cli.command()
def designs() -> None:
    """List the built-in designs from the talk."""
    from heiki.designs import BUILTIN_DESIGNS, DEFAULT_DESIGN, design_file, display_name
    from heiki.sources.yamlread import parse_yaml

    width = max(len(name) for name in BUILTIN_DESIGNS)
    for name in BUILTIN_DESIGNS:
        resource = design_file(name)
        assert resource is not None
        data = parse_yaml(resource.read_text(encoding="utf-8"), display_name(name)).data
        marker = " (default)" if name == DEFAULT_DESIGN else ""
        click.echo(f"{name:<{width}}  {data.get('description', '')}{marker}")


@cli.command()
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="html: the architecture diagram as one self-contained page.",
)
@OUTPUT_OPT
@FORCE_OPT
def show(
    source: tuple[str, ...],
    onprem: str | None,
    output_format: str,
    output_file: str | None,
    force: bool,
) -> None:
    """Show the expanded environment: networks, routes, firewall, DNS path, private endpoints."""
    from heiki.reports.serialize import dumps
    from heiki.reports.show import environment_document, render_environment

    result = _load(source, onprem)
    if output_format == OutputFormat.JSON:
        _emit(
            dumps(environment_document(result.environment, result.source_name)), output_file, force
        )
    elif output_format == "html":
        from heiki.reports.html.page import html_page

        _emit(html_page(result.environment, result.environment.name), output_file, force)
    elif output_file is not None:
        console = _file_console(markup=True)
        console.print(render_environment(result.environment))
        _emit(console.export_text(), output_file, force)
    else:
        _stdout(markup=True).print(render_environment(result.environment))
    _print_warnings(result.diagnostics)


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"


_FAIL_THRESHOLD = {FailOn.ERROR: 3, FailOn.WARNING: 2, FailOn.NEVER: 99}


@cli.command()
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in CheckFormat]),
    default=CheckFormat.TEXT.value,
    show_default=True,
    help="text for people, json (schema in the package), sarif 2.1.0 for code scanning, "
    "markdown for a pull-request comment, html: one self-contained page with the architecture "
    "diagram and the flows drawn on it.",
)
@OUTPUT_OPT
@FORCE_OPT
@click.option(
    "--fail-on",
    type=click.Choice([f.value for f in FailOn]),
    default=None,
    help="Lowest severity that makes the exit code 1 [default: the configuration's, else error].",
)
@RULE_OPTS
def check(
    source: tuple[str, ...],
    onprem: str | None,
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
    output_file: str | None,
    force: bool,
) -> None:
    """Check an environment: the three loops, closure, toil, DNS, egress and the rule findings."""
    from heiki.catalog import load_catalog
    from heiki.config import load_config
    from heiki.diagnostics import InputError
    from heiki.reports.check import render_check
    from heiki.reports.markdown import markdown_document
    from heiki.reports.record import check_environment, check_record
    from heiki.reports.sarif import sarif_document
    from heiki.reports.serialize import dumps
    from heiki.rules.engine import check_selection

    try:
        config = load_config(config_file)
        check_selection(config, select, ignore)
    except InputError as error:
        _fail_input(error)
    loaded = _load(source, onprem)
    result = check_environment(
        loaded.environment,
        load_catalog(),
        loaded.source_name,
        loaded.diagnostics,
        config,
        select,
        ignore,
    )
    record = check_record(result)
    chosen = CheckFormat(output_format)
    if chosen is CheckFormat.JSON:
        _emit(dumps(record), output_file, force)
    elif chosen is CheckFormat.SARIF:
        _emit(dumps(sarif_document(record)), output_file, force)
    elif chosen is CheckFormat.MARKDOWN:
        _emit(markdown_document(record, result), output_file, force)
    elif chosen is CheckFormat.HTML:
        from heiki.reports.html.page import html_page

        title = loaded.environment.name
        _emit(html_page(loaded.environment, title, result, record), output_file, force)
    elif output_file is not None:
        console = _file_console()
        console.print(render_check(record))
        _emit(console.export_text(), output_file, force)
    else:
        _stdout().print(render_check(record))
    threshold = _FAIL_THRESHOLD[FailOn(fail_on or config.fail_on or FailOn.ERROR.value)]
    ranks = [f.severity.rank for f in result.findings] + [
        d.severity.rank for d in result.diagnostics
    ]
    sys.exit(EXIT_FINDINGS if any(rank >= threshold for rank in ranks) else EXIT_OK)


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


@cli.command()
@click.argument("sides", nargs=-1, metavar="[BASE HEAD]")
@click.option(
    "--base",
    "base_inputs",
    multiple=True,
    metavar="DESIGN|FILE",
    help="An input of the base side (repeatable), instead of BASE.",
)
@click.option(
    "--head",
    "head_inputs",
    multiple=True,
    metavar="DESIGN|FILE",
    help="An input of the head side (repeatable), instead of HEAD.",
)
@click.option(
    "--base-parameters",
    multiple=True,
    metavar="FILE|NAME=VALUE",
    help="ARM parameters of the base side only (after --parameters, which both sides get).",
)
@click.option(
    "--head-parameters",
    multiple=True,
    metavar="FILE|NAME=VALUE",
    help="ARM parameters of the head side only (after --parameters, which both sides get).",
)
@click.option(
    "--base-var",
    "base_variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Terraform variable of the base side only (wins over --var, which both sides get).",
)
@click.option(
    "--head-var",
    "head_variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Terraform variable of the head side only (wins over --var, which both sides get).",
)
@click.option(
    "--base-var-file",
    "base_var_files",
    multiple=True,
    metavar="FILE",
    help="Terraform .tfvars file of the base side only (after --var-file).",
)
@click.option(
    "--head-var-file",
    "head_var_files",
    multiple=True,
    metavar="FILE",
    help="Terraform .tfvars file of the head side only (after --var-file).",
)
@click.option(
    "--base-ref",
    metavar="GIT_REF",
    default=None,
    help="Take the base side from the same paths at this revision of the repository they are in "
    "(read with git, nothing checked out); the arguments are then the head side's inputs.",
)
@ARM_OPTS
@ONPREM_OPT
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in DiffFormat]),
    default=DiffFormat.TEXT.value,
    show_default=True,
    help="text for people, json, markdown for a pull-request comment, sarif with the new "
    "findings only.",
)
@click.option(
    "--fail-on",
    type=click.Choice([f.value for f in FailOn]),
    default=None,
    help="Lowest severity of a new finding that makes the exit code 1 [default: the "
    "configuration's, else error].",
)
@RULE_OPTS
def diff(
    sides: tuple[str, ...],
    base_inputs: tuple[str, ...],
    head_inputs: tuple[str, ...],
    base_parameters: tuple[str, ...],
    head_parameters: tuple[str, ...],
    base_variables: tuple[str, ...],
    head_variables: tuple[str, ...],
    base_var_files: tuple[str, ...],
    head_var_files: tuple[str, ...],
    base_ref: str | None,
    onprem: str | None,
    output_format: str,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
) -> None:
    """What a change breaks or opens: readiness, closure, toil, DNS and findings of HEAD
    against BASE, with the resource changes behind them.

    Exit code 0 when nothing got worse, 1 when a capability becomes not ready, a path opens,
    toil grows or a finding at or above --fail-on is added, 2 on bad input.
    """
    import tempfile
    from dataclasses import replace

    from heiki.catalog import load_catalog
    from heiki.config import load_config
    from heiki.diagnostics import InputError
    from heiki.reports.diff.compare import compare
    from heiki.reports.diff.document import diff_document, diff_sarif
    from heiki.reports.diff.render import markdown_review, render_review
    from heiki.reports.diff.sides import Rules, Side, SideError, check_sides
    from heiki.reports.serialize import dumps
    from heiki.rules.engine import check_selection
    from heiki.sources.gitrev import repository_of, write_revision

    if base_ref is not None:
        if base_inputs:
            raise click.UsageError("--base-ref takes the base side from git; drop --base")
        head = sides + head_inputs
        base: tuple[str, ...] = ()
        if not head:
            raise click.UsageError("--base-ref needs the paths of the head side")
    elif base_inputs or head_inputs:
        if sides:
            raise click.UsageError("give BASE HEAD or --base/--head, not both")
        if not base_inputs or not head_inputs:
            raise click.UsageError("--base and --head are needed together")
        base, head = base_inputs, head_inputs
    elif len(sides) == 2:
        base, head = sides[:1], sides[1:]
    else:
        raise click.UsageError("give BASE and HEAD, --base/--head lists, or --base-ref GIT_REF")
    meta = click.get_current_context().meta
    try:
        config = load_config(config_file)
        check_selection(config, select, ignore)
    except InputError as error:
        _fail_input(error)
    parameters = tuple(meta.get("parameters") or ())
    var_files = tuple(meta.get("var_files") or ())
    variables = tuple(meta.get("variables") or ())
    allow_outside = tuple(meta.get("allow_outside") or ())
    head_side = Side(
        "head",
        head,
        onprem,
        parameters + head_parameters,
        _deployment_target(),
        var_files + head_var_files,
        variables + head_variables,
        allow_outside,
    )
    catalog = load_catalog()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="heiki-base-") as folder:
        try:
            if base_ref is not None:
                paths = [p for p in (*head, *parameters) if Path(p).exists()]
                repository = repository_of(Path(paths[0]) if paths else Path.cwd())
                revision = write_revision(repository, base_ref, Path(folder))
                found: list[str] = []
                for item in head:
                    twin = revision.path_at(item)
                    if twin is None:
                        notes.append(f"{item} did not exist at {base_ref}: the base side has none")
                    else:
                        found.append(twin)
                if head and not found:
                    raise InputError(
                        _diagnostic_git(f"none of {', '.join(head)} existed at {base_ref}")
                    )

                def at_ref(items: tuple[str, ...]) -> tuple[str, ...]:
                    # NAME=VALUE parameters are not paths; files new since REF are left out
                    twins = (revision.path_at(i) if "=" not in i else i for i in items)
                    return tuple(i for i in twins if i is not None)

                base_side = replace(
                    head_side,
                    label=f"base ({base_ref})",
                    inputs=tuple(found),
                    onprem=revision.path_at(onprem) if onprem else None,
                    parameters=at_ref(parameters + base_parameters),
                    var_files=at_ref(var_files + base_var_files),
                    variables=variables + base_variables,
                    allow_outside=at_ref(allow_outside),
                    display={str(revision.root) + "/": f"{base_ref}:"},
                )
            else:
                base_side = replace(
                    head_side,
                    label="base",
                    inputs=base,
                    parameters=parameters + base_parameters,
                    var_files=var_files + base_var_files,
                    variables=variables + base_variables,
                )
            base_snapshot, head_snapshot = check_sides(
                base_side, head_side, catalog, Rules(config, select, ignore)
            )
        except InputError as error:
            _fail_input(error)
        except SideError as error:
            console = _stderr()
            for diagnostic in error.diagnostics:
                console.print(f"{error.label}: {diagnostic}", markup=False)
            sys.exit(EXIT_ERROR)
    threshold = _FAIL_THRESHOLD[FailOn(fail_on or config.fail_on or FailOn.ERROR.value)]
    review = compare(base_snapshot, head_snapshot, threshold, tuple(notes))
    chosen = DiffFormat(output_format)
    if chosen is DiffFormat.JSON:
        sys.stdout.write(dumps(diff_document(review)))
    elif chosen is DiffFormat.SARIF:
        sys.stdout.write(dumps(diff_sarif(review)))
    elif chosen is DiffFormat.MARKDOWN:
        sys.stdout.write(markdown_review(review))
    else:
        _stdout().print(render_review(review))
    sys.exit(EXIT_FINDINGS if review.worse else EXIT_OK)


def _diagnostic_git(message: str) -> Diagnostic:
    from heiki import diagnostics as dx
    from heiki.diagnostics import Diagnostic, Severity

    return Diagnostic(dx.GIT_REVISION, Severity.ERROR, message)


@cli.command()
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@click.option(
    "--to",
    "target_format",
    type=click.Choice(["arm", "bicep", "terraform"]),
    default="arm",
    show_default=True,
    help="azuredeploy.json, main.bicep with one module per concern, or a Terraform root module "
    "(azapi, one .tf file per concern, terraform.tfvars); the on-premises DNS forwarders and the "
    "firewall rule table come with each.",
)
@click.option(
    "-o",
    "--output",
    "output_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write into; it must be empty or missing unless --force is given.",
)
@click.option("--force", is_flag=True, help="Overwrite files in a non-empty output folder.")
def build(
    source: tuple[str, ...], onprem: str | None, target_format: str, output_dir: str, force: bool
) -> None:
    """Generate the environment: an ARM template or a Bicep project, the on-premises DNS
    forwarders (Windows DNS PowerShell and BIND) and the firewall rule table for the security
    team."""
    from heiki import diagnostics as dx
    from heiki.analyses.dns.forwarders import forwarder_plan
    from heiki.catalog import load_catalog
    from heiki.diagnostics import Diagnostic, InputError, Severity
    from heiki.generators.bicep import bicep_project
    from heiki.generators.deployment import arm_deployment
    from heiki.generators.onprem import (
        bind_fragment,
        firewall_table,
        onprem_file,
        windows_dns_script,
    )
    from heiki.generators.terraform import (
        TERRAFORM_FIXED_FILES,
        terraform_defaults,
        terraform_project,
    )
    from heiki.reports.serialize import dumps

    if not output_dir.strip():
        _fail_input(
            InputError(
                Diagnostic(dx.OUTPUT_UNWRITABLE, Severity.ERROR, "-o needs a folder, not ''")
            )
        )
    folder = Path(output_dir)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        _fail_input(
            InputError(
                Diagnostic(
                    dx.OUTPUT_EXISTS,
                    Severity.ERROR,
                    f"{folder} is not empty; nothing written (use --force to overwrite)",
                )
            )
        )
    loaded = _load(source, onprem)
    env = loaded.environment
    notes = list(loaded.diagnostics)
    if target_format == "bicep":
        files = bicep_project(env)
        modules = sum(name.startswith("modules/") for name in files)
        defaults = json.loads(files["main.parameters.json"])["parameters"]
    elif target_format == "terraform":
        files = terraform_project(env)
        modules = sum(name not in TERRAFORM_FIXED_FILES for name in files)
        defaults = terraform_defaults(files["terraform.tfvars"])
    else:
        deployment = arm_deployment(env)
        template = deployment.files["azuredeploy.json"]
        defaults = deployment.files["azuredeploy.parameters.json"]["parameters"]
        modules = sum(r["type"] == "Microsoft.Resources/deployments" for r in template["resources"])
        files = {name: dumps(document) for name, document in deployment.files.items()}
        notes += _size_notes(deployment)
    plan = forwarder_plan(env, load_catalog())
    if plan.complete:
        files["onprem/windows-dns-forwarders.ps1"] = windows_dns_script(plan, env.name)
        files["onprem/named.conf.forwarders"] = bind_fragment(plan, env.name)
    elif plan.zones:
        notes.append(
            Diagnostic(
                dx.NO_HUB_DNS,
                Severity.WARNING,
                f"{len(plan.zones)} zone(s) need on-premises forwarding but the environment has no "
                "hub DNS endpoint (resolver inbound endpoint, firewall DNS proxy or DNS VM); no "
                "forwarder files written",
            )
        )
    onprem_side = onprem_file(env)
    if onprem_side is not None:
        files["onprem/onprem.yaml"] = onprem_side
    if env.firewall_policies:
        files["firewall-rules.md"] = firewall_table(env)
    for target in _write_all(folder, files, force):
        click.echo(str(target))
    _stderr().print(_build_summary(modules, defaults), markup=False)
    _print_warnings(tuple(notes))


def _size_notes(deployment: ArmDeployment) -> list[Diagnostic]:
    """Why the modules are linked files, and what is still over a limit."""
    from heiki import diagnostics as dx
    from heiki.diagnostics import Diagnostic, Severity

    notes: list[Diagnostic] = []
    if deployment.linked:
        notes.append(
            Diagnostic(
                dx.DEPLOYMENT_SIZE,
                Severity.WARNING,
                "as one file "
                + "; ".join(p.text() for p in deployment.whole)
                + ": the modules are written as modules/*.json, linked by relativePath - deploy "
                "them as a template spec (az ts create --template-file azuredeploy.json, then az "
                "deployment sub create --template-spec ID)",
            )
        )
    for name, problem in deployment.remaining:
        notes.append(Diagnostic(dx.DEPLOYMENT_SIZE, Severity.WARNING, f"{name}: {problem.text()}"))
    return notes


def _build_summary(modules: int, parameters: dict[str, Any]) -> str:
    """One line on stderr: how the output is cut, and whether parameters became objects."""
    grouped = [name for name in ("resourceNames", "addressSpaces", "skus") if name in parameters]
    summary = f"{modules} modules, {len(parameters)} parameters with defaults"
    if grouped:
        summary += f" (grouped into objects to stay within Azure's limits: {', '.join(grouped)})"
    return summary


def _write_all(folder: Path, files: dict[str, str], force: bool) -> list[Path]:
    """Write the set through heiki.cli.output (staged, swapped in whole, locked); a failure
    exits 2 with nothing changed."""
    from heiki import diagnostics as dx
    from heiki.cli.output import OutputError, OutputNotEmpty, write_output
    from heiki.diagnostics import Diagnostic, InputError, Severity
    from heiki.model.source import SourceLocation

    try:
        return write_output(folder, files, force)
    except OutputNotEmpty as error:
        code, message = dx.OUTPUT_EXISTS, "is not empty; nothing written (use --force to overwrite)"
        where = error.path
    except OutputError as error:
        code, message = dx.OUTPUT_UNWRITABLE, f"{error.message}; nothing written"
        where = error.path
    _fail_input(InputError(Diagnostic(code, Severity.ERROR, message, SourceLocation(where))))


@cli.command(name="rules")
@FORMAT_OPT
def list_rules(output_format: str) -> None:
    """List every rule: ID, default severity, name and title."""
    from heiki.reports.ruledocs import render_rules, rules_document
    from heiki.reports.serialize import dumps

    if output_format == OutputFormat.JSON:
        sys.stdout.write(dumps(rules_document()))
    else:
        _stdout().print(render_rules())


@cli.command()
@click.argument("rule_id", metavar="ID")
def explain(rule_id: str) -> None:
    """Print the documentation of one rule (what docs/rules/ID.md holds)."""
    from heiki.reports.ruledocs import find_rule_doc, rule_page

    doc = find_rule_doc(rule_id)
    if doc is None:
        _stderr().print(f"error: no rule {rule_id!r}; `heiki rules` lists them", markup=False)
        sys.exit(EXIT_ERROR)
    sys.stdout.write(rule_page(doc))


@cli.command()
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@FORMAT_OPT
def vantages(source: tuple[str, ...], onprem: str | None, output_format: str) -> None:
    """List the vantages of an environment (what `--from` accepts)."""
    from heiki.analyses.vantage import list_vantages
    from heiki.reports.resolution import render_vantages
    from heiki.reports.serialize import dumps, to_data

    result = _load(source, onprem)
    found = list_vantages(result.environment)
    if output_format == OutputFormat.JSON:
        sys.stdout.write(dumps({"vantages": to_data(found)}))
    else:
        _stdout().print(render_vantages(found))


@cli.command()
@click.argument("name")
@click.option(
    "--from",
    "vantage",
    required=True,
    help="Where the query starts: onprem, "
    "VNET/SUBNET (e.g. ml/compute), a VM or compute name, or a resource ID.",
)
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@FORMAT_OPT
def resolve(
    name: str, vantage: str, source: tuple[str, ...], onprem: str | None, output_format: str
) -> None:
    """Resolve NAME as a client at a vantage would, and show every step.

    Exit code 0 when the name resolves (privately or publicly), 1 on NXDOMAIN, SERVFAIL or an
    unreachable DNS server, 2 on bad input.
    """
    from heiki.analyses.dns import Outcome
    from heiki.analyses.trace import Tracer
    from heiki.analyses.vantage import UnknownVantageError, find_vantage
    from heiki.catalog import load_catalog
    from heiki.model.values import DnsName
    from heiki.reports.resolution import render_resolution, resolution_document
    from heiki.reports.serialize import dumps

    result = _load(source, onprem)
    env = result.environment
    try:
        where = find_vantage(env, vantage)
        query = DnsName(name)
    except (UnknownVantageError, ValueError) as exc:
        _stderr().print(f"error: {exc}", markup=False)
        sys.exit(EXIT_ERROR)
    # DNS hops are traced through routes, NSGs and the firewall, like any other flow
    resolution = Tracer(env, load_catalog()).resolver.resolve(where, query)
    if output_format == OutputFormat.JSON:
        sys.stdout.write(dumps(resolution_document(resolution)))
    else:
        _stdout().print(render_resolution(resolution))
    answered = resolution.outcome in (Outcome.PRIVATE, Outcome.PUBLIC)
    sys.exit(EXIT_OK if answered else EXIT_FINDINGS)


def _parse_target(text: str) -> tuple[str, int, str]:
    """``HOST[:PORT][/tcp|udp]`` -> (host, port, protocol); port 443 and tcp by default."""
    host, _, protocol = text.partition("/")
    protocol = (protocol or "tcp").lower()
    if protocol not in ("tcp", "udp", "icmp"):
        raise ValueError(f"unknown protocol {protocol!r} (tcp, udp or icmp)")
    port = 443
    if ":" in host:
        host, _, port_text = host.rpartition(":")
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise ValueError(f"not a port: {port_text!r}")
        port = int(port_text)
    if not host:
        raise ValueError("no host given")
    return host, port, protocol


@cli.command()
@click.option(
    "--from", "vantage", required=True, help="Where the flow starts (see `heiki vantages`)."
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="HOST[:PORT][/tcp|udp]",
    help="An IP, a name (resolved from the vantage), any-internet or foreign-storage.",
)
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@FORMAT_OPT
def trace(
    vantage: str, target: str, source: tuple[str, ...], onprem: str | None, output_format: str
) -> None:
    """Trace one flow through routes, NSGs, peerings and the firewall, with the deciding rules.

    Exit code 0 when the flow is delivered, 1 when it is dropped or cannot be decided offline,
    2 on bad input.
    """
    from heiki.analyses.trace import Tracer, Verdict
    from heiki.analyses.vantage import UnknownVantageError, find_vantage
    from heiki.catalog import load_catalog
    from heiki.reports.serialize import dumps
    from heiki.reports.trace import render_trace, trace_document

    result = _load(source, onprem)
    env = result.environment
    try:
        where = find_vantage(env, vantage)
        host, port, protocol = _parse_target(target)
        flow = Tracer(env, load_catalog()).trace(where, host, port, protocol)
    except (UnknownVantageError, ValueError) as exc:
        _stderr().print(f"error: {exc}", markup=False)
        sys.exit(EXIT_ERROR)
    if output_format == OutputFormat.JSON:
        sys.stdout.write(dumps(trace_document(flow)))
    else:
        _stdout().print(render_trace(flow))
    sys.exit(EXIT_OK if flow.verdict is Verdict.DELIVERED else EXIT_FINDINGS)


@cli.command()
@click.argument("subnet", metavar="VNET/SUBNET")
@SOURCE_ARG
@ARM_OPTS
@ONPREM_OPT
@FORMAT_OPT
def routes(subnet: str, source: tuple[str, ...], onprem: str | None, output_format: str) -> None:
    """Show the effective routes of a subnet, with state, as Azure computes them."""
    from heiki.analyses.routing import effective_routes
    from heiki.analyses.vantage import UnknownVantageError, find_vantage
    from heiki.catalog import load_catalog
    from heiki.reports.serialize import dumps
    from heiki.reports.trace import render_routes, routes_document

    result = _load(source, onprem)
    env = result.environment
    try:
        where = find_vantage(env, subnet)
    except UnknownVantageError as exc:
        _stderr().print(f"error: {exc}", markup=False)
        sys.exit(EXIT_ERROR)
    if where.subnet is None:
        _stderr().print(f"error: {subnet} is not in a subnet", markup=False)
        sys.exit(EXIT_ERROR)
    table = effective_routes(env, load_catalog(), where.subnet)
    if output_format == OutputFormat.JSON:
        sys.stdout.write(dumps(routes_document(where.name, table)))
    else:
        _stdout().print(render_routes(where.name, table))


INTERNAL_ERROR = "INT002"


def main(*, fast_exit: bool = False) -> None:
    """Entry point. A failure inside an analysis or a generator is reported as INT002 with the
    command, exit 2 - never a bare traceback (``--debug`` shows it).

    ``fast_exit`` (the console script and ``python -m heiki``) leaves the process without
    freeing what the run built, as mypy's fast exit does: a 1,000-spoke check holds millions of
    objects, and freeing them one by one took a tenth of its time. Output is flushed first;
    ``with`` blocks and ``finally`` clauses (temporary files, written reports) have already run
    while the exit unwound the command. Under a profiler or a tracer the exit is the usual one."""
    # One command is one batch of acyclic, long-lived objects (see analyses/bulk.py): the cyclic
    # collector would only walk them again and again. Reference counting still frees garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run()
    except SystemExit as exited:
        # a profiler, coverage or a debugger writes its results at exit: leave them their exit
        if fast_exit and sys.getprofile() is None and sys.gettrace() is None:
            _exit_now(exited.code)
        raise
    finally:
        if collecting:  # main() called in-process (tests, embedding) leaves the collector on
            gc.enable()


def console() -> None:
    """The ``heiki`` console script."""
    main(fast_exit=True)


def _run() -> None:
    try:
        cli(prog_name="heiki")
    except Exception as error:
        if "--debug" in sys.argv[1:]:
            raise
        command = " ".join(a for a in sys.argv[1:])
        _stderr().print(
            f"error {INTERNAL_ERROR}: heiki failed on this input ({type(error).__name__}: "
            f"{error}) while running `heiki {command}`. This is a heiki bug: please report it "
            "with the input; --debug shows the traceback.",
            markup=False,
        )
        sys.exit(EXIT_ERROR)


def _exit_now(code: object) -> NoReturn:
    """``sys.exit(code)``'s status and message, without the interpreter's teardown."""
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = EXIT_ERROR
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (heiki check | head): nothing left to say
        pass
    os._exit(status)


__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_OK", "cli", "console", "main"]
