"""`smartborder demo` then `smartborder serve`, as `make demo` runs them: the demo accounts can
sign in and find work in their queue, and the server answers on its port."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from smartborder.cli import app
from smartborder.demo import PASSWORD
from smartborder.service import accounts
from smartborder.service.inspections import QueueFilter, queue
from smartborder.service.profiles import hit_statistics
from smartborder.store.db import open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_sets_up_the_service_and_serve_answers(embedded_settings, monkeypatch):
    for _ in range(2):  # running it again changes nothing that exists
        result = CliRunner().invoke(app, ["demo", "--n", "3000", "--examples", str(EXAMPLES)])
        assert result.exit_code == 0, result.output
    assert "officer.de" in result.output and PASSWORD in result.output
    engine = open_store(embedded_settings)
    officer = accounts.sign_in(engine, "officer.de", PASSWORD)
    assert officer is not None and officer.organisation.countries == ("DE",)
    total, rows = queue(engine, officer, QueueFilter())
    assert total > 0 and {r["destination_country"] for r in rows} == {"DE"}
    assert hit_statistics(engine, officer)["inspected"].sum() > 0  # past inspections give hit rates
    assert len(accounts.list_users(engine)) == 6  # with the platform operator

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "smartborder", "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json") as answer:
                    assert "/v1/assess" in json.load(answer)["paths"]
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("smartborder serve did not answer")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/signin") as answer:
            assert "Sign in" in answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
