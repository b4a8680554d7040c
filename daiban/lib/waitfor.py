"""`python -m daiban.lib.waitfor URL [SECONDS]`: wait until a web server answers at URL.

`make run` starts the server in the background and prints the addresses and demo accounts only
once the server really answers, so the last lines on the screen are the ones to act on.
Exit status 0 when it answered, 1 after the timeout (default 120 s).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def answers(url: str) -> bool:
    """True when an HTTP request to `url` gets any response (an error status counts: it is up)."""
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local address given by make
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def wait(url: str, seconds: float) -> bool:
    """Poll `url` every half second for up to `seconds`; True once it answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(url):
            return True
        time.sleep(0.5)
    return False


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8000/"
    seconds = float(argv[2]) if len(argv) > 2 else 120.0
    if wait(url, seconds):
        return 0
    print(f"服务器在 {seconds:.0f} 秒内没有响应：{url}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
