"""An SMS backend for tests that run the app in other processes (tests/test_multiprocess.py): each
message sent is one line appended to the file named by DAIBAN_TEST_SMS_LOG, so the test can count
what every sender process together delivered. Select it with
DAIBAN_SMS_BACKEND=tests.cluster_sms.RecordingBackend."""

from __future__ import annotations

import os
import time


class RecordingBackend:
    def send(self, phone: str, text: str) -> None:
        """Append "phone<TAB>text" (one write of one line: O_APPEND keeps lines of concurrent
        senders whole). A short pause widens the window in which two senders could overlap."""
        time.sleep(0.01)
        line = f"{phone}\t{text.replace(chr(10), ' ')}\n".encode()
        fd = os.open(os.environ["DAIBAN_TEST_SMS_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
