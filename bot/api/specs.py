"""`/api/specs/*`: what the System Builder asks of a spec without building it — check it
(`validate`), see what it generates (`preview`, `repository.zip`), what it would cost
(`cost`) and have the Drafter complete it (`complete`). Problems come with the lines of the
text sent, as the CLI prints them. Spec work runs in the service's `SpecWorkPool` (worker
processes, within a time limit), never on the event loop or in its threads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, PlainValidator
from pydantic_core import PydanticKnownError

from bot.ai.drafting import MAX_CONTEXT_CHARACTERS
from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked
from bot.api.limits import within
from bot.flows.local_repository import zip_repository
from bot.flows.spec_checks import Completed, complete_written
from bot.jobs.spec_work import SpecWorkPool
from renderers.complete import spec_to_yaml
from renderers.cost import CostEstimate
from renderers.from_text import rendered_spec, spec_cost, written_spec
from renderers.problems import SpecError
from renderers.proposal import proposed_fields
from renderers.render import File
from renderers.spec import load_spec
from renderers.yaml_source import MAX_SPEC_BYTES

router = APIRouter()
SOURCE = "spec.yaml"
DEFAULT_REASON = "SBH's default when the spec does not say"
ServicesDep = Annotated[Services, Depends(get_services)]


def _as_sent(value: object) -> str:
    """The spec exactly as sent. JSON may carry a lone surrogate ("\\ud800"), which pydantic's
    own string check refuses with an error that cannot even be written out as UTF-8; kept,
    it becomes a problem at its line and column like any other."""
    if not isinstance(value, str):
        raise PydanticKnownError("string_type")
    if len(value) > MAX_SPEC_BYTES:
        raise PydanticKnownError("string_too_long", {"max_length": MAX_SPEC_BYTES})
    return value


SpecText = Annotated[
    str, PlainValidator(_as_sent, json_schema_input_type=str), Field(max_length=MAX_SPEC_BYTES)
]


class SpecRequest(BaseModel):
    spec: SpecText


class PreviewRequest(SpecRequest):
    path: str | None = Field(default=None, max_length=300)


class CompleteRequest(SpecRequest):
    # What the AI may read besides the spec (what the service is for); untrusted like an issue.
    context: str = Field(default="", max_length=MAX_CONTEXT_CHARACTERS)


class Problem(BaseModel):
    """One problem of the spec, located in the text that was sent."""

    line: int
    column: int
    field: str
    message: str
    text: str  # as the CLI prints it: spec.yaml:LINE:COLUMN: field: message


class Problems(BaseModel):
    """The answer for a spec that cannot be used: every problem at once."""

    valid: Literal[False] = False
    problems: list[Problem]


class Validation(BaseModel):
    valid: bool
    problems: list[Problem]
    name: str | None = None  # the spec's name, when it is valid


class PreviewFile(BaseModel):
    path: str
    size: int
    executable: bool


class ShownFile(BaseModel):
    path: str
    content: str


class Preview(BaseModel):
    valid: Literal[True] = True
    files: list[PreviewFile]
    file: ShownFile | None


class ProposedValue(BaseModel):
    field: str  # dotted path, e.g. service.port or environments.dev.region
    value: Any
    source: Literal["ai", "default"]
    reason: str


class TokenUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int


class Completion(BaseModel):
    valid: Literal[True] = True
    problems: list[Problem] = Field(default_factory=list)
    proposal: list[ProposedValue]
    completed_spec: str
    model: str | None  # None when the deterministic fallback answered
    fallback: bool
    note: str | None
    cached: bool
    usage: TokenUsage


PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"model": Problems, "description": "the spec has problems"}
}


def problems_of(error: SpecError) -> list[Problem]:
    return [
        Problem(
            line=problem.line,
            column=problem.column,
            field=problem.field,
            message=problem.message,
            text=str(problem),
        )
        for problem in error.problems
    ]


class UnusableSpec(Exception):
    """Raised by a route for a spec it cannot use; answered 422 with `Problems`."""

    def __init__(self, error: SpecError) -> None:
        super().__init__(str(error))
        self.error = error


async def answer_unusable_spec(request: Request, exception: Exception) -> JSONResponse:
    assert isinstance(exception, UnusableSpec)
    problems = Problems(problems=problems_of(exception.error))
    return JSONResponse(problems.model_dump(), status_code=422)


async def _rendered(work: SpecWorkPool, text: str) -> tuple[str, dict[str, File]]:
    """(the spec's name, the generated repository); raises `UnusableSpec`."""
    try:
        return await work.run_async(rendered_spec, text, SOURCE)
    except SpecError as error:
        raise UnusableSpec(error) from None


@router.post("/api/specs/validate")
async def validate_spec(
    request: Request, body: SpecRequest, services: ServicesDep, csrf: CsrfChecked
) -> Validation:
    """Every problem of the spec with its line, or that it is valid."""
    within(services.limits.spec_checks, request, "spec checks")
    try:
        raw = await services.spec_work.run_async(load_spec, body.spec, SOURCE)
    except SpecError as error:
        # Running over the time limit is a problem like the others: the same 200 answer.
        return Validation(valid=False, problems=problems_of(error))
    return Validation(valid=True, problems=[], name=raw.name)


@router.post("/api/specs/cost", responses=PROBLEMS)
async def cost_of_spec(
    request: Request, body: SpecRequest, services: ServicesDep, csrf: CsrfChecked
) -> CostEstimate:
    """The estimated monthly AWS cost of the spec's system, per environment and line by line,
    from SBH's dated price table (an estimate, not a quote). Money is a decimal string."""
    within(services.limits.spec_checks, request, "spec checks")
    try:
        return await services.spec_work.run_async(spec_cost, body.spec, SOURCE)
    except SpecError as error:
        raise UnusableSpec(error) from None


@router.post("/api/specs/preview", responses=PROBLEMS)
async def preview_spec(
    request: Request, body: PreviewRequest, services: ServicesDep, csrf: CsrfChecked
) -> Preview:
    """The generated file tree of a spec, and one file's text when `path` names one."""
    within(services.limits.spec_checks, request, "spec checks")
    _, files = await _rendered(services.spec_work, body.spec)
    shown = None
    if body.path is not None:
        if body.path not in files:
            raise HTTPException(404, f"{body.path!r} is not a generated file")
        shown = ShownFile(path=body.path, content=files[body.path].content.decode("utf-8"))
    tree = [
        PreviewFile(path=path, size=len(file.content), executable=file.executable)
        for path, file in files.items()
    ]
    return Preview(files=tree, file=shown)


@router.post(
    "/api/specs/repository.zip",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "the repository as a zip"},
        **PROBLEMS,
    },
)
async def repository_zip(
    request: Request, body: SpecRequest, services: ServicesDep, csrf: CsrfChecked
) -> Response:
    """The whole generated repository as a zip (modes kept), for people without the App."""
    within(services.limits.spec_checks, request, "spec checks")
    name, files = await _rendered(services.spec_work, body.spec)
    archive = await run_in_threadpool(zip_repository, files)
    return Response(
        archive,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}.zip"'},
    )


def completion_of(completed: Completed, model: str) -> Completion:
    """The proposal as the web app shows it: each field the person did not write, where its
    value came from, and the completed spec."""
    draft = completed.draft
    fallback = draft.note is not None
    return Completion(
        proposal=[
            ProposedValue(
                field=field.field,
                value=field.value,
                source=field.source,
                reason=f"proposed by {model}" if field.source == "ai" else DEFAULT_REASON,
            )
            for field in proposed_fields(completed.written, draft.raw, completed.spec)
        ],
        completed_spec=spec_to_yaml(completed.spec),
        model=None if fallback else model,
        fallback=fallback,
        note=draft.note,
        cached=draft.cached,
        usage=TokenUsage(
            prompt_tokens=draft.prompt_tokens, completion_tokens=draft.completion_tokens
        ),
    )


@router.post("/api/specs/complete", responses=PROBLEMS)
async def complete_spec(
    request: Request, body: CompleteRequest, services: ServicesDep, csrf: CsrfChecked
) -> Completion:
    """Run the Drafter (OpenAI, or the deterministic fallback) on a spec: what it proposes
    for the fields the person left out, or every problem with its line."""
    within(services.limits.costly, request, "requests")
    try:
        raw = await services.spec_work.run_async(written_spec, body.spec, SOURCE)
    except SpecError as error:
        raise UnusableSpec(error) from None
    completed = await run_in_threadpool(
        complete_written, raw, SOURCE, drafter=services.drafter, context=body.context
    )
    return completion_of(completed, services.settings.openai_model)
