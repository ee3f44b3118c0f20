"""``tongban serve``: web server, task worker and scheduler, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the whole platform: gunicorn (web), db_worker (tasks) and the scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start db_worker")
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        manage = [sys.executable, "-m", "tongban.cli"]
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        if not options["no_worker"]:
            procs.append(
                (
                    "worker",
                    subprocess.Popen(  # noqa: S603  (our own interpreter)
                        [
                            *manage,
                            "db_worker",
                            "--queue-name",
                            "*",
                            "--interval",
                            "1",
                            "--no-reload",
                        ],
                        env=env,
                    ),
                )
            )
        if not options["no_scheduler"]:
            procs.append(("scheduler", subprocess.Popen([*manage, "scheduler"], env=env)))  # noqa: S603
        web = subprocess.Popen(  # noqa: S603  (our own interpreter)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            env=env,
        )
        procs.append(("web", web))
        self.stdout.write(
            f"通办 serving on http://{options['host']}:{options['port']}/ (Ctrl-C to stop)"
        )
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs:
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with {proc.returncode}; stopping")
                        stopping = True
                time.sleep(0.5)
        finally:
            for _, proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            for _, proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
