"""`annodesk server stages` (issue 12): print a project's review stages, set them in order with --set NAME:WHO,...,
clear them; the same checks as PUT /projects/{id}/qa, with errors that name the option at fault."""

from __future__ import annotations

import json

import pytest

from sync.server import db, service
from sync.server.cli import main
from sync.server.config import ServerConfig
from tests.server_fixtures import server_cli

run = server_cli


def test_stages_are_printed_set_in_order_and_cleared(tmp_path, monkeypatch, capsys):
    where = ["--data", str(tmp_path / "server")]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"labels": [{"name": "car"}]}))
    for name, role in (("maria", "lead"), ("ann", "annotator")):
        assert run(monkeypatch, capsys, "server", "add-user", name, "--role", role, "--password-stdin", *where)[0] == 0
    assert run(monkeypatch, capsys, "server", "create-project", "streets", "--schema", str(schema), *where)[0] == 0

    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "streets", *where)
    assert code == 0 and out.splitlines() == ["project streets: 1 review stage", "  1. review: lead, admin"]
    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "streets", "--set", "review:lead",
                    "--set", "acceptance:admin, maria", *where)
    assert code == 0 and out.splitlines() == ["project streets: 2 review stages", "  1. review: lead",
                                              "  2. acceptance: admin, maria"]
    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "1", "--json", *where)
    assert json.loads(out) == {"project_id": 1, "stages": [{"name": "review", "who": ["lead"]},
                                                           {"name": "acceptance", "who": ["admin", "maria"]}]}
    store = db.Store(ServerConfig(data_dir=tmp_path / "server"))
    with store.read() as conn:  # what the review rules read
        assert [s["name"] for s in service.project_stages(conn, 1)] == ["review", "acceptance"]
    store.close()

    refused = {("review",): "--set 'review' is NAME:WHO[,WHO...]",
               ("review:lead", "final:ann"): "--set 'final:ann': review stages: stages[1].who[0] names 'ann': ann "
                                             "is an annotator: only leads and admins review",
               ("review:lead", "final:nobody"): "stages[1].who[0] names 'nobody': no such user",
               ("bad name:lead",): "--set 'bad name:lead': review stages: stages[0].name is 1-32 letters",
               ("a:lead", "a:admin"): "two stages are named 'a'"}
    for options, message in refused.items():
        sets = [arg for option in options for arg in ("--set", option)]
        code, out = run(monkeypatch, capsys, "server", "stages", "--project", "streets", *sets, *where)
        assert code == 2 and message in out, out
    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "streets", *where)
    assert "2. acceptance: admin, maria" in out  # the refused ones changed nothing
    with pytest.raises(SystemExit) as exited:
        main(["server", "stages", "--project", "streets", "--set", "a:lead", "--clear", *where])
    assert exited.value.code == 2 and "not allowed with argument --set" in capsys.readouterr().err
    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "nowhere", *where)
    assert code == 2 and "no project 'nowhere'" in out

    code, out = run(monkeypatch, capsys, "server", "stages", "--project", "streets", "--clear", *where)
    assert code == 0 and out.splitlines() == ["project streets: 1 review stage", "  1. review: lead, admin"]
