"""unspin: find machine-spun text and put the original words back.

    >>> import unspin
    >>> report = unspin.check("The White Home mentioned on Monday ...")
    >>> unspin.restore("The White Home mentioned on Monday ...")
"""
__version__ = "0.1.0"

from .config import DetectorConfig  # noqa: E402
from .report import Edit, Report, apply_edits  # noqa: E402
from .api import Detector, check, restore  # noqa: E402

__all__ = ["check", "restore", "Detector", "DetectorConfig", "Edit", "Report", "apply_edits",
           "__version__"]
