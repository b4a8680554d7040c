"""System checks (`manage.py check`, every server start): the fonts the PDFs embed.

WeasyPrint draws a character no installed font has as nothing, without an error: a server without
the CJK font prints forms without their Chinese, without Noto Sans Mongolian without the
traditional Mongolian script. So the operator is told at start-up, not by a petitioner's letter.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from django.core import checks

from daiban.documents.pdf import REQUIRED_FONTS

INSTALL_HINT = ("Debian: apt-get install fonts-noto-cjk fonts-noto-core fonts-hanazono fonts-liberation2 fonts-noto-color-emoji "
                "fonts-symbola（见 README「Fonts」）")


def installed_families() -> set[str] | None:
    """The font families fontconfig knows (`fc-list : family`), or None without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=10,  # noqa: S603
                                check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip()}


@checks.register()
def pdf_fonts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """documents.W001 without fontconfig; documents.W002 naming each missing family of REQUIRED_FONTS."""
    families = installed_families()
    if families is None:
        return [checks.Warning("无法检查文书所需字体：未找到 fontconfig（fc-list）", hint=INSTALL_HINT, id="documents.W001")]
    missing = [family for family, script in REQUIRED_FONTS.items() if family not in families]
    if not missing:
        return []
    scripts = "、".join(REQUIRED_FONTS[family] for family in missing)
    return [checks.Warning(f"PDF文书所需字体缺失：{'、'.join(missing)}（{scripts}将无法显示）", hint=INSTALL_HINT,
                           id="documents.W002")]
