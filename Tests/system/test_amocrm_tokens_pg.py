"""amoCRM long-lived tokens on PostgreSQL with several instances: two `tokens create --format amocrm` processes racing
on a fresh database agree on one signing key, and every token works on both servers and after a restart.

Skipped without $AUTOFUNNEL_TEST_POSTGRES_URL unless AUTOFUNNEL_REQUIRE_POSTGRES=1 (then it fails)."""
import http.client
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import Server, admin_token, binary, cli
from test_two_servers_pg import fresh_database, postgres_url

EMAIL = "amo-pg@autofunnel.test"


def leads_status(server: Server, token: str) -> int:
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    c.request("GET", "/api/v4/leads?limit=1", headers={"Authorization": f"Bearer {token}"})
    status = c.getresponse().status
    c.close()
    return status


def test_amocrm_tokens_share_one_key_across_instances_and_restarts():
    with fresh_database(postgres_url()) as (url, conn):
        tmp = Path(tempfile.mkdtemp(prefix="autofunnel-amo-pg-"))
        servers: list[Server] = []
        try:
            cli(["migrate"], url)
            admin_token(url, email=EMAIL)
            args = ["tokens", "create", "--user", EMAIL, "--scope", "read", "--format", "amocrm", "--database-url", url]
            racing = [subprocess.Popen([str(binary()), *args, "--name", f"race-{n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True) for n in range(2)]
            tokens = [p.communicate(timeout=120)[0].strip() for p in racing]
            assert all(p.returncode == 0 for p in racing) and all(t.startswith("eyJ") for t in tokens), tokens
            assert conn.execute("SELECT COUNT(*) FROM server_secrets").fetchone()[0] == 1

            servers = [Server(url, tmp, f"server-{n}") for n in "ab"]
            for s in servers:
                s.start()
            assert [leads_status(s, t) for s in servers for t in tokens] == [200] * 4
            assert leads_status(servers[0], tokens[0][:-2] + "xx") == 401
            servers[0].stop()
            servers[0].start()
            assert leads_status(servers[0], tokens[1]) == 200, "the key survives a restart"
        finally:
            for s in servers:
                s.stop()
            shutil.rmtree(tmp, ignore_errors=True)
