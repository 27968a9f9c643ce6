"""Human names of the notification categories (the server's ``type`` values)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def category_label(notification_type: str) -> str:
    """The translated name of a category; unknown types get a generic name."""
    labels = {
        "weekly_report": QCoreApplication.translate("Categories", "Weekly report"),
        "job_completed": QCoreApplication.translate("Categories", "Job completed"),
        "job_failed": QCoreApplication.translate("Categories", "Job failed"),
        "rule_executed": QCoreApplication.translate("Categories", "Rule executed"),
        "quota_warning": QCoreApplication.translate("Categories", "Storage quota"),
        "integrity_alert": QCoreApplication.translate("Categories", "Archive integrity"),
    }
    return labels.get(notification_type, QCoreApplication.translate("Categories", "Other"))
