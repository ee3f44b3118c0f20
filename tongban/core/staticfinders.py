"""Static files taken from the npm registry (``make install``, package-lock.json):
only the files named here are served, under ``vendor/``, not the packages'
whole directories (ECharts alone ships 51 MB of builds we do not serve)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage

# Served path → file under node_modules/.
VENDOR_FILES = {
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


def _root() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class VendorFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [name for name in VENDOR_FILES.values() if not (_root() / name).is_file()]
        if missing:
            return [
                Warning(
                    f"npm files missing: {', '.join(missing)}",
                    hint="run `make install` (npm ci) to fetch them",
                    id="tongban.W001",
                )
            ]
        return []

    # Like Django's own finders, "not found" is an empty list even when one
    # path is asked for (django.contrib.staticfiles.finders.find relies on it).
    def find(self, path: str, find_all: bool = False) -> Any:
        source = VENDOR_FILES.get(path)
        if source is None or not (_root() / source).is_file():
            return []
        found = str(_root() / source)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for served, source in VENDOR_FILES.items():
            file = _root() / source
            if file.is_file():
                storage = FileSystemStorage(location=str(file.parent))
                storage.prefix = str(Path(served).parent)  # type: ignore[attr-defined]
                yield file.name, storage
