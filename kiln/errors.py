"""The one exception tree: UserError is never retried, TransientError is."""

from __future__ import annotations


class KilnError(Exception):
    """Base of every error kiln raises on purpose; `str()` is a one-line message for people."""

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message} ({self.hint})"


class UserError(KilnError):
    """Bad input: the same request would fail again; never retried."""

    code = "invalid"


class TransientError(KilnError):
    """Network, registry 5xx, engine crash: worth retrying."""

    code = "transient"


class NotFound(UserError):
    code = "not_found"


class InvalidReference(UserError):
    code = "invalid_reference"


class DetectionError(UserError):
    code = "undetectable"


class ManifestError(UserError):
    """A project manifest (package.json, requirements.txt, go.mod, …) that cannot be read."""

    code = "bad_manifest"


class NotAWorkspaceMember(ManifestError):
    """The app's sub-directory lies under a workspace root that does not list it."""


class BuildFailed(UserError):
    """The engine ran and the build itself failed (a RUN step exited non-zero, …)."""

    code = "build_failed"


class BuildCancelled(KilnError):
    code = "cancelled"


class EngineError(TransientError):
    """The engine could not run at all (binary missing, crashed)."""

    code = "engine_error"


class RegistryError(TransientError):
    code = "registry_error"


class RegistryAuthError(UserError):
    code = "registry_auth"


class CatalogError(UserError):
    code = "catalog"


class Conflict(UserError):
    """The request clashes with the current state (a duplicate name, a build already over)."""

    code = "conflict"


class NoRegistry(Conflict):
    code = "no_registry"


class RegistryDeletesDisabled(UserError):
    """The registry refuses manifest deletes (405): retrying cannot help."""

    code = "registry_deletes_disabled"


class BadSignature(UserError):
    """A webhook whose signature matches no configured secret."""

    code = "bad_signature"


class Forbidden(UserError):
    """A member of the workspace without the role the action needs."""

    code = "forbidden"


class RateLimited(UserError):
    code = "rate_limited"


class BadLogin(UserError):
    code = "bad_login"
