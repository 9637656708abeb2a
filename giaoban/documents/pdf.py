"""A document's .docx made into a PDF by LibreOffice running headless (Debian's
`libreoffice-writer-nogui`), with Debian's metric-compatible fonts (`fonts-liberation2`: Liberation
Serif has Times New Roman's widths, so lines break where Word breaks them).

Each run has a user profile of its own (`-env:UserInstallation`): two conversions at once would
otherwise share one profile, and the second LibreOffice would hand its file to the first and exit.
A run that outlives `DOCUMENT_PDF_TIMEOUT` seconds is killed with its whole process group. The PDF
is PDF/A-2b (the `writer_pdf_Export` filter's `SelectPdfVersion` = 2, options given as JSON, which
LibreOffice reads since 7.4): fonts embedded, nothing fetched when it is opened.
"""

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from giaoban.core.errors import ApplicationError

log = logging.getLogger("giaoban.documents.pdf")

__all__ = ["PDF_PACKAGES", "PdfUnavailable", "docx_to_pdf", "soffice_path"]

#: Debian's packages this module needs (the Makefile installs the same list).
PDF_PACKAGES = ["libreoffice-writer-nogui", "fonts-liberation2", "fonts-liberation"]

#: 2 = PDF/A-2b (1 = PDF/A-1b, 3 = PDF/A-3b; 0 = plain PDF 1.7).
PDF_A_VERSION = 2
_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {"SelectPdfVersion": {"type": "long", "value": str(PDF_A_VERSION)}}, separators=(",", ":")
)


class PdfUnavailable(ApplicationError):
    """LibreOffice is missing, hung or failed: the document stays a .docx until a retry."""

    code = "pdf_unavailable"


def soffice_path() -> str | None:
    """The LibreOffice binary named by DOCUMENT_SOFFICE (a path, or a name looked up on PATH)."""
    name = settings.DOCUMENT_SOFFICE
    if os.sep in name:
        return name if os.access(name, os.X_OK) else None
    return shutil.which(name)


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a .docx, made by LibreOffice; `PdfUnavailable` (in the user's language) when
    LibreOffice is missing, outlives the timeout or makes no PDF."""
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable(
            _(
                "LibreOffice is not installed on the server (“%(name)s” was not found), so the "
                "PDF cannot be made yet; the .docx is ready."
            )
            % {"name": settings.DOCUMENT_SOFFICE}
        )
    with tempfile.TemporaryDirectory(prefix="giaoban-pdf-") as work:
        folder = Path(work)
        source = folder / "document.docx"
        source.write_bytes(data)
        _run(binary, folder, source)
        made = folder / "out" / "document.pdf"
        if not made.is_file() or not made.read_bytes().startswith(b"%PDF-"):
            raise PdfUnavailable(_("LibreOffice made no PDF from this .docx."))
        return made.read_bytes()


def _command(binary: str, folder: Path, source: Path) -> list[str]:
    profile = (folder / "profile").as_uri()
    return [
        binary,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        _FILTER,
        "--outdir",
        str(folder / "out"),
        str(source),
    ]


def _environment(folder: Path) -> dict[str, str]:
    """No proxy, no display, a home of its own: LibreOffice reaches nothing outside the run."""
    keep = {"PATH", "LANG", "LC_ALL", "TZ", "FONTCONFIG_PATH", "FONTCONFIG_FILE"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    return env | {"HOME": str(folder), "SAL_USE_VCLPLUGIN": "svp", "no_proxy": "*"}


def _run(binary: str, folder: Path, source: Path) -> None:
    timeout = settings.DOCUMENT_PDF_TIMEOUT
    try:
        process = subprocess.Popen(
            _command(binary, folder, source),
            cwd=folder,
            env=_environment(folder),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout kills every child too
        )
    except OSError as exc:
        raise PdfUnavailable(
            _("LibreOffice could not be started: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    try:
        output, _unused = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        log.warning("LibreOffice outlived %s s and was killed", timeout)
        raise PdfUnavailable(
            _(
                "LibreOffice did not finish within %(seconds)s seconds and was stopped; the PDF "
                "will be made again later."
            )
            % {"seconds": timeout}
        ) from None
    if process.returncode != 0:
        log.warning("LibreOffice exited with %s: %s", process.returncode, output[-2000:])
        raise PdfUnavailable(
            _("LibreOffice failed (exit code %(code)s) and made no PDF.")
            % {"code": process.returncode}
        )


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended between the timeout and now
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
