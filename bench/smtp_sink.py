"""A local SMTP sink for the benchmarks, run as its own process: accepts every message and
appends its Message-ID to a file, one line per accepted message (so a duplicate shows up as a
repeated line). Stops on SIGTERM.

    python -m bench.smtp_sink --port 2525 --out var/bench/sink.log
"""

from __future__ import annotations

import argparse
import re
import signal
import threading

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingHandler:
    def __init__(self, out) -> None:
        self.out = out
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        headers = envelope.content.split(b"\r\n\r\n", 1)[0]
        match = MESSAGE_ID.search(headers)
        message_id = match.group(1).decode() if match else "<none>"
        with self.lock:
            self.out.write(message_id + "\n")
            self.out.flush()
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with open(args.out, "a", encoding="ascii") as out:
        controller = Controller(CountingHandler(out), hostname="127.0.0.1", port=args.port)
        controller.start()
        print(f"smtp sink listening on 127.0.0.1:{args.port}", flush=True)
        stop.wait()
        controller.stop()


if __name__ == "__main__":
    main()
