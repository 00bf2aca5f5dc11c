import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BuildStepStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUILD_STEP_STATUS_UNSPECIFIED: _ClassVar[BuildStepStatus]
    BUILD_STEP_STATUS_PENDING: _ClassVar[BuildStepStatus]
    BUILD_STEP_STATUS_RUNNING: _ClassVar[BuildStepStatus]
    BUILD_STEP_STATUS_COMPLETED: _ClassVar[BuildStepStatus]
    BUILD_STEP_STATUS_FAILED: _ClassVar[BuildStepStatus]
    BUILD_STEP_STATUS_CANCELLED: _ClassVar[BuildStepStatus]
BUILD_STEP_STATUS_UNSPECIFIED: BuildStepStatus
BUILD_STEP_STATUS_PENDING: BuildStepStatus
BUILD_STEP_STATUS_RUNNING: BuildStepStatus
BUILD_STEP_STATUS_COMPLETED: BuildStepStatus
BUILD_STEP_STATUS_FAILED: BuildStepStatus
BUILD_STEP_STATUS_CANCELLED: BuildStepStatus

class AnalyzeRepositoryRequest(_message.Message):
    __slots__ = ("workspace", "app", "repo_url", "ref", "subdirectory")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    APP_FIELD_NUMBER: _ClassVar[int]
    REPO_URL_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    SUBDIRECTORY_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    app: str
    repo_url: str
    ref: str
    subdirectory: str
    def __init__(self, workspace: _Optional[str] = ..., app: _Optional[str] = ..., repo_url: _Optional[str] = ..., ref: _Optional[str] = ..., subdirectory: _Optional[str] = ...) -> None: ...

class AnalyzeRepositoryResponse(_message.Message):
    __slots__ = ("detected", "config", "error", "detected_files", "explanations", "plan_json")
    DETECTED_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DETECTED_FILES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATIONS_FIELD_NUMBER: _ClassVar[int]
    PLAN_JSON_FIELD_NUMBER: _ClassVar[int]
    detected: bool
    config: DetectedBuildConfig
    error: str
    detected_files: _containers.RepeatedScalarFieldContainer[str]
    explanations: _containers.RepeatedScalarFieldContainer[str]
    plan_json: str
    def __init__(self, detected: _Optional[bool] = ..., config: _Optional[_Union[DetectedBuildConfig, _Mapping]] = ..., error: _Optional[str] = ..., detected_files: _Optional[_Iterable[str]] = ..., explanations: _Optional[_Iterable[str]] = ..., plan_json: _Optional[str] = ...) -> None: ...

class DetectedBuildConfig(_message.Message):
    __slots__ = ("language", "language_version", "framework", "build_command", "start_command", "provider", "package_manager", "install_commands", "build_commands", "port")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    FRAMEWORK_FIELD_NUMBER: _ClassVar[int]
    BUILD_COMMAND_FIELD_NUMBER: _ClassVar[int]
    START_COMMAND_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_MANAGER_FIELD_NUMBER: _ClassVar[int]
    INSTALL_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    BUILD_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    language: str
    language_version: str
    framework: str
    build_command: str
    start_command: str
    provider: str
    package_manager: str
    install_commands: _containers.RepeatedScalarFieldContainer[str]
    build_commands: _containers.RepeatedScalarFieldContainer[str]
    port: int
    def __init__(self, language: _Optional[str] = ..., language_version: _Optional[str] = ..., framework: _Optional[str] = ..., build_command: _Optional[str] = ..., start_command: _Optional[str] = ..., provider: _Optional[str] = ..., package_manager: _Optional[str] = ..., install_commands: _Optional[_Iterable[str]] = ..., build_commands: _Optional[_Iterable[str]] = ..., port: _Optional[int] = ...) -> None: ...

class BuildImageRequest(_message.Message):
    __slots__ = ("workspace", "app", "ref", "force")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    APP_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    app: str
    ref: str
    force: bool
    def __init__(self, workspace: _Optional[str] = ..., app: _Optional[str] = ..., ref: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class BuildImageResponse(_message.Message):
    __slots__ = ("success", "image_url", "image_digest", "error", "steps", "build")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_URL_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DIGEST_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    BUILD_FIELD_NUMBER: _ClassVar[int]
    success: bool
    image_url: str
    image_digest: str
    error: str
    steps: _containers.RepeatedCompositeFieldContainer[BuildStep]
    build: Build
    def __init__(self, success: _Optional[bool] = ..., image_url: _Optional[str] = ..., image_digest: _Optional[str] = ..., error: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[BuildStep, _Mapping]]] = ..., build: _Optional[_Union[Build, _Mapping]] = ...) -> None: ...

class BuildStep(_message.Message):
    __slots__ = ("name", "status", "message", "duration_ms")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: BuildStepStatus
    message: str
    duration_ms: int
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[BuildStepStatus, str]] = ..., message: _Optional[str] = ..., duration_ms: _Optional[int] = ...) -> None: ...

class Build(_message.Message):
    __slots__ = ("id", "workspace", "app", "number", "status", "trigger", "ref", "commit_sha", "commit_message", "commit_author", "image_ref", "digest", "size_bytes", "error_code", "error_summary", "error_suggestion", "retry_of", "log_truncated", "steps", "created_at", "started_at", "finished_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    APP_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    COMMIT_SHA_FIELD_NUMBER: _ClassVar[int]
    COMMIT_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    COMMIT_AUTHOR_FIELD_NUMBER: _ClassVar[int]
    IMAGE_REF_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ERROR_SUGGESTION_FIELD_NUMBER: _ClassVar[int]
    RETRY_OF_FIELD_NUMBER: _ClassVar[int]
    LOG_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    workspace: str
    app: str
    number: int
    status: str
    trigger: str
    ref: str
    commit_sha: str
    commit_message: str
    commit_author: str
    image_ref: str
    digest: str
    size_bytes: int
    error_code: str
    error_summary: str
    error_suggestion: str
    retry_of: str
    log_truncated: bool
    steps: _containers.RepeatedCompositeFieldContainer[BuildStep]
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., workspace: _Optional[str] = ..., app: _Optional[str] = ..., number: _Optional[int] = ..., status: _Optional[str] = ..., trigger: _Optional[str] = ..., ref: _Optional[str] = ..., commit_sha: _Optional[str] = ..., commit_message: _Optional[str] = ..., commit_author: _Optional[str] = ..., image_ref: _Optional[str] = ..., digest: _Optional[str] = ..., size_bytes: _Optional[int] = ..., error_code: _Optional[str] = ..., error_summary: _Optional[str] = ..., error_suggestion: _Optional[str] = ..., retry_of: _Optional[str] = ..., log_truncated: _Optional[bool] = ..., steps: _Optional[_Iterable[_Union[BuildStep, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetBuildRequest(_message.Message):
    __slots__ = ("build_id",)
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    build_id: str
    def __init__(self, build_id: _Optional[str] = ...) -> None: ...

class CancelBuildRequest(_message.Message):
    __slots__ = ("build_id",)
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    build_id: str
    def __init__(self, build_id: _Optional[str] = ...) -> None: ...

class StreamBuildLogsRequest(_message.Message):
    __slots__ = ("build_id", "after_sequence")
    BUILD_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    build_id: str
    after_sequence: int
    def __init__(self, build_id: _Optional[str] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class BuildLogEntry(_message.Message):
    __slots__ = ("line", "status", "end")
    LINE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    line: LogLine
    status: StatusChange
    end: StreamEnd
    def __init__(self, line: _Optional[_Union[LogLine, _Mapping]] = ..., status: _Optional[_Union[StatusChange, _Mapping]] = ..., end: _Optional[_Union[StreamEnd, _Mapping]] = ...) -> None: ...

class LogLine(_message.Message):
    __slots__ = ("sequence", "message", "step")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    message: str
    step: str
    def __init__(self, sequence: _Optional[int] = ..., message: _Optional[str] = ..., step: _Optional[str] = ...) -> None: ...

class StatusChange(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class StreamEnd(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    def __init__(self, status: _Optional[str] = ...) -> None: ...

class CheckQuotaRequest(_message.Message):
    __slots__ = ("workspace", "dry_run")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    dry_run: bool
    def __init__(self, workspace: _Optional[str] = ..., dry_run: _Optional[bool] = ...) -> None: ...

class CheckQuotaResponse(_message.Message):
    __slots__ = ("cleanup_performed", "current_usage_bytes", "quota_bytes", "cleaned_images", "dry_run", "triggered", "before_bytes", "after_bytes", "kept_protected")
    CLEANUP_PERFORMED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_USAGE_BYTES_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BYTES_FIELD_NUMBER: _ClassVar[int]
    CLEANED_IMAGES_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    TRIGGERED_FIELD_NUMBER: _ClassVar[int]
    BEFORE_BYTES_FIELD_NUMBER: _ClassVar[int]
    AFTER_BYTES_FIELD_NUMBER: _ClassVar[int]
    KEPT_PROTECTED_FIELD_NUMBER: _ClassVar[int]
    cleanup_performed: bool
    current_usage_bytes: int
    quota_bytes: int
    cleaned_images: _containers.RepeatedCompositeFieldContainer[CleanedImage]
    dry_run: bool
    triggered: bool
    before_bytes: int
    after_bytes: int
    kept_protected: _containers.RepeatedCompositeFieldContainer[CleanedImage]
    def __init__(self, cleanup_performed: _Optional[bool] = ..., current_usage_bytes: _Optional[int] = ..., quota_bytes: _Optional[int] = ..., cleaned_images: _Optional[_Iterable[_Union[CleanedImage, _Mapping]]] = ..., dry_run: _Optional[bool] = ..., triggered: _Optional[bool] = ..., before_bytes: _Optional[int] = ..., after_bytes: _Optional[int] = ..., kept_protected: _Optional[_Iterable[_Union[CleanedImage, _Mapping]]] = ...) -> None: ...

class CleanedImage(_message.Message):
    __slots__ = ("app_name", "tags", "size_bytes", "repository", "digest", "reason")
    APP_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    REPOSITORY_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    app_name: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    size_bytes: int
    repository: str
    digest: str
    reason: str
    def __init__(self, app_name: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., size_bytes: _Optional[int] = ..., repository: _Optional[str] = ..., digest: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class TrackImageRequest(_message.Message):
    __slots__ = ("workspace", "app", "tag", "digest", "registry", "repository")
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    APP_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    REGISTRY_FIELD_NUMBER: _ClassVar[int]
    REPOSITORY_FIELD_NUMBER: _ClassVar[int]
    workspace: str
    app: str
    tag: str
    digest: str
    registry: str
    repository: str
    def __init__(self, workspace: _Optional[str] = ..., app: _Optional[str] = ..., tag: _Optional[str] = ..., digest: _Optional[str] = ..., registry: _Optional[str] = ..., repository: _Optional[str] = ...) -> None: ...

class TrackImageResponse(_message.Message):
    __slots__ = ("size_bytes", "new_total_usage", "quota_bytes")
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    NEW_TOTAL_USAGE_FIELD_NUMBER: _ClassVar[int]
    QUOTA_BYTES_FIELD_NUMBER: _ClassVar[int]
    size_bytes: int
    new_total_usage: int
    quota_bytes: int
    def __init__(self, size_bytes: _Optional[int] = ..., new_total_usage: _Optional[int] = ..., quota_bytes: _Optional[int] = ...) -> None: ...
