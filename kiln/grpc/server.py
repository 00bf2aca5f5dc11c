"""BuildService over gRPC (grpc.aio): each method authenticates, checks the same role as its
REST route, calls one use case in kiln/service/ and converts the result to messages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import grpc

from kiln.errors import DetectionError, TransientError, UserError
from kiln.grpc import convert
from kiln.grpc.auth import caller, in_workspace, on_build
from kiln.grpc.errors import Context, streaming, unary
from kiln.grpc.generated import build_pb2 as pb
from kiln.grpc.generated import build_pb2_grpc
from kiln.logs.follow import EndEvent
from kiln.service import apps, builds, quotas
from kiln.service.access import Role
from kiln.service.context import Services
from kiln.service.images import ImageTrack, track_pushed_image
from kiln.service.models import BuildTrigger

GRACE_SECONDS = 5.0


class BuildService(build_pb2_grpc.BuildServiceServicer):
    def __init__(self, services: Services) -> None:
        self.svc = services

    @unary
    async def AnalyzeRepository(
        self, request: pb.AnalyzeRepositoryRequest, context: Context
    ) -> pb.AnalyzeRepositoryResponse:
        await in_workspace(self.svc, context, request.workspace, Role.ADMIN)
        if request.app and request.repo_url:
            raise UserError("give either app or repo_url, not both")
        try:
            if request.app:
                if request.subdirectory:
                    raise UserError("subdirectory goes with repo_url; an app has its own")
                plan = await apps.analyze_app(
                    self.svc, request.workspace, request.app, request.ref or None
                )
            elif request.repo_url:
                plan = await apps.analyze_repository(
                    self.svc, request.repo_url, request.ref or None, request.subdirectory or None
                )
            else:
                raise UserError("app or repo_url is required")
        except DetectionError as exc:
            return convert.not_detected(str(exc))
        return convert.analysis(plan)

    @unary
    async def BuildImage(
        self, request: pb.BuildImageRequest, context: Context
    ) -> pb.BuildImageResponse:
        await in_workspace(self.svc, context, request.workspace, Role.ADMIN)
        if not request.app:
            raise UserError("app is required")
        trigger = BuildTrigger(ref=request.ref or None, force=request.force)
        build, _ = await builds.trigger_build(
            self.svc, request.workspace, request.app, trigger, trigger="grpc"
        )
        # Wait on the shared live feed (no polling of our own); the lines themselves are unused.
        async for batch in builds.follow_build(self.svc, build.id, 0):
            if any(isinstance(event, EndEvent) for event in batch):
                break
        return convert.build_result(await builds.get_build(self.svc, build.id))

    @streaming
    async def StreamBuildLogs(
        self, request: pb.StreamBuildLogsRequest, context: Context
    ) -> AsyncIterator[pb.BuildLogEntry]:
        principal = await caller(self.svc, context)
        if request.after_sequence < 0:
            raise UserError("after_sequence must be 0 or more")
        await on_build(self.svc, context, request.build_id, Role.MEMBER, principal)
        async for batch in builds.follow_build(self.svc, request.build_id, request.after_sequence):
            for event in batch:
                entry = convert.log_entry(event)
                if entry is not None:
                    yield entry

    @unary
    async def CheckQuotaAndCleanup(
        self, request: pb.CheckQuotaRequest, context: Context
    ) -> pb.CheckQuotaResponse:
        await in_workspace(self.svc, context, request.workspace, Role.ADMIN)
        return convert.cleanup(
            await quotas.cleanup(self.svc, request.workspace, dry_run=request.dry_run)
        )

    @unary
    async def TrackImage(
        self, request: pb.TrackImageRequest, context: Context
    ) -> pb.TrackImageResponse:
        await in_workspace(self.svc, context, request.workspace, Role.ADMIN)
        track = ImageTrack(
            app=request.app, tag=request.tag, digest=request.digest,
            registry=request.registry or None, repository=request.repository or None,
        )  # fmt: skip
        tracked = await track_pushed_image(self.svc, request.workspace, track)
        return pb.TrackImageResponse(
            size_bytes=tracked.size_bytes, new_total_usage=tracked.used_bytes,
            quota_bytes=tracked.quota_bytes,
        )  # fmt: skip

    @unary
    async def GetBuild(self, request: pb.GetBuildRequest, context: Context) -> pb.Build:
        await on_build(self.svc, context, request.build_id, Role.MEMBER)
        return convert.build_message(await builds.get_build(self.svc, request.build_id))

    @unary
    async def CancelBuild(self, request: pb.CancelBuildRequest, context: Context) -> pb.Build:
        await on_build(self.svc, context, request.build_id, Role.ADMIN)
        return convert.build_message(await builds.cancel_build(self.svc, request.build_id))


def listen_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@contextlib.asynccontextmanager
async def grpc_server(services: Services) -> AsyncIterator[int | None]:
    """Serve BuildService on `grpc_port` (None, and nothing served, when it is 0)."""
    settings = services.settings
    if settings.grpc_port == 0:
        yield None
        return
    # Without SO_REUSEPORT a second kiln on the same port fails to start instead of sharing it.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    build_pb2_grpc.add_BuildServiceServicer_to_server(  # type: ignore[no-untyped-call]
        BuildService(services), server
    )
    address = listen_address(settings.host, settings.grpc_port)
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise TransientError(
            f"cannot serve gRPC on {address}: the address is in use or not available",
            hint="set KILN_GRPC_PORT to a free port, or 0 to turn gRPC off",
        ) from exc
    await server.start()
    try:
        yield port
    finally:
        await server.stop(GRACE_SECONDS)
