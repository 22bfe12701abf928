"""A private Dovecot IMAP server on 127.0.0.1 for tests: its own config, users and mail in a temp dir.

    with Dovecot() as server:
        server.append("carol", raw_bytes)      # real IMAP APPEND, as a mail server's delivery would
        server.port, server.tls_port

Plain IMAP and IMAPS (a self-signed certificate made with openssl) on free ports; password logins
from a passwd file, and XOAUTH2 checked by Dovecot against a token introspection endpoint served
from this process. Needs Debian's dovecot-imapd (`make dovecot`) and root, as the test machines have.
"""

import http.server
import imaplib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .smtp import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-secret"
TOKENS = {"good-oauth-token": "shipping"}


def available() -> bool:
    return os.path.exists(DOVECOT) and hasattr(os, "geteuid") and os.geteuid() == 0


class _Introspection(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        token = ""
        for pair in body.split("&"):
            key, _, value = pair.partition("=")
            if key == "token":
                token = value
        user = TOKENS.get(token) or TOKENS.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
        payload = {"active": "true", "username": user} if user else {"active": "false"}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Dovecot:
    def __init__(self, users: tuple[str, ...] = ("carol", "support")) -> None:
        self.users = users
        self.dir = Path(tempfile.mkdtemp(prefix="helpwell-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.introspection: http.server.HTTPServer | None = None

    def _config(self, oauth_port: int) -> str:
        d = self.dir
        return f"""
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
mail_location = maildir:{d}/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {d}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

    def start(self) -> "Dovecot":
        d = self.dir
        for sub in ("run", "state", "mail", "home"):
            (d / sub).mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        (d / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}::::::\n" for u in self.users))
        self.introspection = http.server.HTTPServer(("127.0.0.1", 0), _Introspection)
        threading.Thread(target=self.introspection.serve_forever, daemon=True).start()
        oauth_port = self.introspection.server_address[1]
        (d / "oauth2.conf.ext").write_text(
            f"introspection_mode = post\nintrospection_url = http://127.0.0.1:{oauth_port}/introspect\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            "tokeninfo_url = \nforce_introspection = yes\n"
        )
        (d / "dovecot.conf").write_text(self._config(oauth_port))
        os.chmod(d, 0o755)
        subprocess.run(["chown", "-R", "dovecot:dovecot", str(d / "mail"), str(d / "home")], check=True)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(d / "dovecot.conf")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                client.logout()
                return self
            except OSError as exc:
                if self.process.poll() is not None:
                    output = self.process.stdout.read().decode() if self.process.stdout else ""
                    raise RuntimeError(f"dovecot stopped: {output}\n{self.log()}") from exc
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start listening: {self.log()}")

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(user, PASSWORD)
            client.append(folder, None, None, raw)
        finally:
            client.logout()

    def unseen(self, user: str) -> int:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            client.login(user, PASSWORD)
            client.select("INBOX")
            _typ, data = client.search(None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.introspection is not None:
            self.introspection.shutdown()
            self.introspection.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Dovecot":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
