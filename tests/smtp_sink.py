"""A tiny SMTP server for tests: it speaks enough of RFC 5321 for smtplib and keeps what it gets.

No mail library ships one (aiosmtpd is not a dependency, Python 3.12 removed `smtpd`), so this is a
socketserver on a free local port, in a thread. Recipients in `refuse` are answered 550.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    port: int = 0
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        sender, recipients = "", []
        self._reply("220 sink ESMTP")
        while raw := self.rfile.readline():
            command = raw.decode("utf-8", "replace").strip()
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self._reply("250-sink\r\n250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = argument.split(":", 1)[1].strip(" <>"), []
                self._reply("250 OK")
            elif verb == "RCPT":
                address = argument.split(":", 1)[1].strip(" <>")
                if address in sink.refuse:
                    self._reply("550 no such user")
                else:
                    recipients.append(address)
                    self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go ahead")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                sink.received.append(Received(sender, recipients, b"".join(lines)))
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:  # HELO, RSET, NOOP
                self._reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(sink: SmtpSink) -> _Server:
    """Serve the sink on a free port (set on `sink.port`) until `shutdown()`."""
    server = _Server((sink.host, 0), _Handler)
    server.sink = sink
    sink.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
