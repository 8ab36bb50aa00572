"""Whose data it is: the workspace (and Enterprise org) a cached article or answer belongs to.

One deployment may serve many workspaces (OAuth installs). Caches are kept per workspace, so
a link summarized in one is never served from the cache, nor its text read, in another; and
a workspace that uninstalls the app can be forgotten whole (`forget_team`). Conversation
memory is keyed by team already (`Conversation.team`).
"""

from __future__ import annotations

from dataclasses import dataclass

LOCAL_SCOPE = "local"  # the CLI, and anything that runs outside any workspace


@dataclass(frozen=True, slots=True)
class Tenant:
    """A workspace (team T…), maybe inside an Enterprise org (E…); an org-wide install that
    names no workspace has only the enterprise."""

    team: str | None = None
    enterprise: str | None = None
    enterprise_install: bool = False

    @property
    def scope(self) -> str:
        """The cache scope: "T1", "E1/T1" in an org (so the org's whole data shares a
        prefix), "E1/" for an org itself, LOCAL_SCOPE for neither."""
        if self.enterprise:
            return f"{self.enterprise}/{self.team or ''}"
        return self.team or LOCAL_SCOPE

    @property
    def whole_org(self) -> bool:
        """Forgetting this tenant forgets every workspace of its org (an org-wide uninstall)."""
        return bool(self.enterprise) and not self.team

    def owns(self, scope: str) -> bool:
        """Whether data kept under `scope` is this tenant's (its own, or its org's)."""
        return scope.startswith(self.scope) if self.whole_org else scope == self.scope
