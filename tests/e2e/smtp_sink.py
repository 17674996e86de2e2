#!/usr/bin/env python3
"""smtp_sink.py DIR — a real SMTP server on loopback for the end-to-end
tests: it accepts every message and writes it, as received (dot-stuffing
undone), to DIR/msg-N.eml, with its envelope recipients in DIR/msg-N.rcpt.
It writes the port it listens on to DIR/port and runs until killed."""
import os
import socketserver
import sys
import threading

OUT = sys.argv[1]
COUNT = [0]
LOCK = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        rcpt = []
        self.reply("220 sink.test ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode("utf-8", "replace").strip()
            verb = cmd[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink.test")
                self.reply("250-8BITMIME")
                self.reply("250 SIZE 52428800")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                rcpt = []
                self.reply("250 ok")
            elif verb == "RCPT":
                rcpt.append(cmd.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with LOCK:
                    COUNT[0] += 1
                    n = COUNT[0]
                base = os.path.join(OUT, "msg-%d" % n)
                with open(base + ".rcpt", "w") as f:
                    f.write("\n".join(rcpt) + "\n")
                with open(base + ".tmp", "wb") as f:
                    f.write(b"".join(lines))
                os.rename(base + ".tmp", base + ".eml")
                self.reply("250 queued as %d" % n)
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            else:
                self.reply("502 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Session)
with open(os.path.join(OUT, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(OUT, "port.tmp"), os.path.join(OUT, "port"))
srv.serve_forever()
