"""Decoder process entry point: ``python -m streams.worker_main FD``.

The owner (camera.py) pickles a WorkerSpec onto stdin and reads typed messages from FD.
A plain subprocess rather than multiprocessing's spawn, so the decoder imports only
streams/ and never re-runs the server's main module (with its models) per camera.
"""

from __future__ import annotations

import logging
import pickle
import signal
import sys
from multiprocessing.connection import Connection

from streams.messages import WorkerSpec
from streams.worker import decoder_main


def main(argv: list[str]) -> int:
    """``python -m streams.worker FD``: spec pickled on stdin, messages out through FD.

    A plain subprocess (not multiprocessing's spawn) so that the decoder imports only
    streams/ and never re-runs the server's main module.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the owner stops us, not Ctrl-C
    spec = pickle.load(sys.stdin.buffer)
    if not isinstance(spec, WorkerSpec):
        print("streams.worker: expected a WorkerSpec on stdin", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    decoder_main(spec, Connection(int(argv[0]), readable=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
