"""`annodesk server ...` administration on a fresh data folder, then the real server process started on it."""

import argparse
import io
import json

import httpx

from sync.server.cli import add_server_commands, main
from tests.server_fixtures import PASSWORD, ServerProcess, write_png


def run(monkeypatch, capsys, *argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_admin_commands_then_serve(tmp_path, monkeypatch, capsys):
    data = tmp_path / "fresh" / "server"  # does not exist yet: the first command creates it
    where = ["--data", str(data)]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"labels": [{"name": "car"}, {"name": "person"}]}))
    media = tmp_path / "media"
    media.mkdir()
    for i in range(4):
        write_png(media / f"{i}.png", seed=i)
    (media / "broken.png").write_bytes(b"\x89PNG not really")

    assert run(monkeypatch, capsys, "server", "add-user", "boss", "--role", "lead", "--password-stdin", *where,
               stdin=PASSWORD + "\n")[0] == 0
    assert run(monkeypatch, capsys, "server", *where, "add-user", "ann", "--role", "annotator", "--password-stdin",
               stdin=PASSWORD + "\n")[0] == 0
    code, out = run(monkeypatch, capsys, "server", "add-user", "ann", "--role", "annotator", "--password-stdin",
                    *where, stdin=PASSWORD + "\n")
    assert code == 2 and "already exists" in out
    assert run(monkeypatch, capsys, "server", "create-project", "streets", "--schema", str(schema), *where)[0] == 0
    code, out = run(monkeypatch, capsys, "server", "add-media", "streets", str(media), *where)
    assert code == 0 and "added 4 tasks" in out and "broken.png" in out
    code, out = run(monkeypatch, capsys, "server", "assign", "streets", "--user", "ann", "--count", "3", *where)
    assert code == 0 and "assigned 3" in out
    code, out = run(monkeypatch, capsys, "server", "assign", "streets", "--user", "ann", "--tasks", "99", *where)
    assert code == 2 and "99" in out

    server = ServerProcess(data).start()
    try:
        api = server.url + "/api/v1"
        with httpx.Client(verify=False, timeout=30) as client:
            r = client.post(api + "/auth/login", json={"username": "ann", "password": PASSWORD,
                                                       "device_public_key": "A" * 43 + "="})
            assert r.status_code == 200, r.text
            token, device_id = r.json()["token"], r.json()["device_id"]
            auth = {"Authorization": f"Bearer {token}"}
            projects = client.get(api + "/projects", headers=auth).json()
            assert [p["name"] for p in projects] == ["streets"]
            tasks = client.get(api + f"/projects/{projects[0]['id']}/tasks", headers=auth).json()["items"]
            assert len(tasks) == 3 and {t["status"] for t in tasks} == {"assigned"}
            sha = tasks[0]["media_sha256"]
            assert client.get(api + f"/media/{sha}", headers=auth).status_code == 200
            assert run(monkeypatch, capsys, "server", "revoke-device", str(device_id), *where)[0] == 0
            assert client.get(api + "/auth/me", headers=auth).status_code == 401
    finally:
        server.stop()
    assert server.proc is not None and server.proc.returncode is not None


def test_commands_plug_into_another_parser():
    parser = argparse.ArgumentParser(prog="annodesk")
    add_server_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["server", "--data", "/x", "--port", "9000"])
    assert (args.data, args.port, args.server_command) == ("/x", 9000, None)
    args = parser.parse_args(["server", "assign", "p", "--user", "u", "--count", "2", "--db", "postgresql://h/d"])
    assert (args.project, args.count, args.db) == ("p", 2, "postgresql://h/d")
