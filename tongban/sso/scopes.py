"""The scopes a client may ask for, with the descriptions the consent page shows."""

from __future__ import annotations

from typing import Any

from oauth2_provider.scopes import BaseScopes

from tongban.sso.claims import DEFAULT_SCOPES, SCOPES


class TongbanScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return dict(SCOPES)

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return list(SCOPES)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return list(DEFAULT_SCOPES)
