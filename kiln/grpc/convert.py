"""kiln's public models → BuildService messages."""

from __future__ import annotations

from kiln.grpc.generated import build_pb2 as pb
from kiln.logs.follow import EndEvent, Event, LogEvent, StatusEvent
from kiln.plan.model import BuildPlan
from kiln.service.models import BuildPublic, CleanedImagePublic, CleanupPublic, StepPublic

STEP_STATUS = {
    "pending": pb.BUILD_STEP_STATUS_PENDING,
    "running": pb.BUILD_STEP_STATUS_RUNNING,
    "done": pb.BUILD_STEP_STATUS_COMPLETED,
    "failed": pb.BUILD_STEP_STATUS_FAILED,
    "cancelled": pb.BUILD_STEP_STATUS_CANCELLED,
}


def step_message(step: StepPublic) -> pb.BuildStep:
    seconds = step.duration_seconds
    return pb.BuildStep(
        name=step.name,
        status=STEP_STATUS.get(step.status, pb.BUILD_STEP_STATUS_UNSPECIFIED),
        message=step.status,
        duration_ms=round(seconds * 1000) if seconds is not None else 0,
    )


def build_message(build: BuildPublic) -> pb.Build:
    return pb.Build(
        id=build.id, workspace=build.workspace, app=build.app, number=build.number,
        status=build.status, trigger=build.trigger, ref=build.ref, commit_sha=build.commit_sha,
        commit_message=build.commit_message, commit_author=build.commit_author,
        image_ref=build.image_ref, digest=build.digest, size_bytes=build.size_bytes,
        error_code=build.error_code, error_summary=build.error_summary,
        error_suggestion=build.error_suggestion, retry_of=build.retry_of,
        log_truncated=build.log_truncated, steps=[step_message(s) for s in build.steps],
        created_at=build.created_at, started_at=build.started_at, finished_at=build.finished_at,
    )  # fmt: skip


def build_result(build: BuildPublic) -> pb.BuildImageResponse:
    error = build.error_summary or ""
    if build.error_suggestion:
        error = f"{error} ({build.error_suggestion})" if error else build.error_suggestion
    if build.status != "built" and not error:
        error = f"the build ended {build.status}"
    return pb.BuildImageResponse(
        success=build.status == "built", image_url=build.image_ref or "",
        image_digest=build.digest or "", error=error,
        steps=[step_message(s) for s in build.steps], build=build_message(build),
    )  # fmt: skip


def analysis(plan: BuildPlan) -> pb.AnalyzeRepositoryResponse:
    config = pb.DetectedBuildConfig(
        language=plan.language or "", language_version=plan.language_version or "",
        framework=plan.framework or "", build_command=" && ".join(plan.build),
        start_command=plan.start or "", provider=plan.provider,
        package_manager=plan.package_manager or "", install_commands=plan.install,
        build_commands=plan.build, port=plan.port or 0,
    )  # fmt: skip
    return pb.AnalyzeRepositoryResponse(
        detected=True, config=config, detected_files=plan.detected_files,
        explanations=plan.explanations, plan_json=plan.model_dump_json(),
    )  # fmt: skip


def not_detected(message: str) -> pb.AnalyzeRepositoryResponse:
    return pb.AnalyzeRepositoryResponse(detected=False, error=message)


def _cleaned(image: CleanedImagePublic) -> pb.CleanedImage:
    return pb.CleanedImage(
        app_name=image.app, tags=image.tags, size_bytes=image.bytes,
        repository=image.repository, digest=image.digest, reason=image.reason,
    )  # fmt: skip


def cleanup(report: CleanupPublic) -> pb.CheckQuotaResponse:
    performed = report.triggered and not report.dry_run and bool(report.removed)
    return pb.CheckQuotaResponse(
        cleanup_performed=performed,
        current_usage_bytes=report.before_bytes if report.dry_run else report.after_bytes,
        quota_bytes=report.quota_bytes, cleaned_images=[_cleaned(i) for i in report.removed],
        dry_run=report.dry_run, triggered=report.triggered, before_bytes=report.before_bytes,
        after_bytes=report.after_bytes,
        kept_protected=[_cleaned(i) for i in report.kept_protected],
    )  # fmt: skip


def log_entry(event: Event) -> pb.BuildLogEntry | None:
    """A followed event as a stream entry (None for keep-alives: HTTP/2 has its own)."""
    if isinstance(event, LogEvent):
        line = pb.LogLine(sequence=event.seq, message=event.line, step=event.step or "")
        return pb.BuildLogEntry(line=line)
    if isinstance(event, StatusEvent):
        return pb.BuildLogEntry(status=pb.StatusChange(status=event.status))
    if isinstance(event, EndEvent):
        return pb.BuildLogEntry(end=pb.StreamEnd(status=event.status))
    return None
