"""The French titles, bodies and ``data`` the real server writes into notifications.

Every function takes a ``random.Random`` so that the simulator and the demo seed are
reproducible from a seed.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Any, Final

JOB_TYPES: Final = (
    "import_mbox",
    "import_imap",
    "archive_mails",
    "bulk_operation",
    "run_rule",
    "apply_retention",
    "sync_dashboard",
)
RULE_NAMES: Final = ("Newsletters", "Factures", "Réseaux sociaux", "Notifications GitHub", "Promos")
BULK_ACTIONS: Final = ("trash", "archive", "mark_read", "label")
ERRORS: Final = (
    "Error: boom",
    "Error: Gmail API quota exceeded",
    "Error: connect ETIMEDOUT 10.0.0.12:445",
    "Error: Invalid mbox format at line 18342",
    "Error: Token has been expired or revoked.",
)
SENDERS: Final = (
    "newsletter@lemonde.fr",
    "no-reply@github.com",
    "notifications@linkedin.com",
    "facturation@free.fr",
    "info@sncf-connect.com",
    "hello@substack.com",
    "service-client@amazon.fr",
)
_MB: Final = 1024 * 1024
_GB: Final = 1024 * _MB

_COMPLETED_TITLES: Final = {
    "import_mbox": "Import mbox terminé",
    "import_imap": "Import IMAP terminé",
    "archive_mails": "Archivage terminé",
    "bulk_operation": "Opération bulk terminée",
    "apply_retention": "Rétention appliquée",
}
_FAILED_TITLES: Final = {
    "import_mbox": "Import mbox échoué",
    "import_imap": "Import IMAP échoué",
    "archive_mails": "Archivage échoué",
    "bulk_operation": "Opération bulk échouée",
    "run_rule": "Règle échouée",
    "apply_retention": "Rétention échouée",
}
#: Job types the server runs silently (no notification either way).
SILENT_JOB_TYPES: Final = frozenset({"sync_dashboard"})


@dataclass(frozen=True, slots=True)
class Message:
    """What the dispatcher receives: a category (notification type) and its texts."""

    category: str
    title: str
    body: str | None
    data: dict[str, Any] | None


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def account_id(user_id: str) -> str:
    """A stable fake Gmail account id for a user (jobs carry one)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"gmail-account:{user_id}"))


def bullmq_id(job_type: str, epoch_ms: int) -> str:
    """Queue-style job id, e.g. ``import_mbox-1795810558309``."""
    return f"{job_type}-{epoch_ms}"


def job_payload(job_type: str, user_id: str, rng: random.Random) -> dict[str, Any]:
    """A plausible payload (the job's input) for ``job_type``."""
    account = account_id(user_id)
    if job_type == "run_rule":
        name = rng.choice(RULE_NAMES)
        return {"ruleId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"rule:{name}")), "ruleName": name}
    if job_type == "bulk_operation":
        return {"accountId": account, "action": rng.choice(BULK_ACTIONS), "query": "label:promos"}
    if job_type == "import_mbox":
        return {
            "accountId": account,
            "filePath": f"/data/uploads/takeout-{rng.randint(1, 99)}.mbox",
        }
    if job_type == "archive_mails":
        return {"accountId": account, "query": "older_than:1y"}
    if job_type == "apply_retention":
        return {"accountId": account, "retentionDays": rng.choice((365, 730, 1825))}
    return {"accountId": account}


def job_completed(
    job_type: str, job_id: str, total: int, payload: dict[str, Any], rng: random.Random
) -> Message | None:
    """The notification of a finished job (``rule_executed`` for rules), if any."""
    if job_type in SILENT_JOB_TYPES:
        return None
    if job_type == "run_rule":
        name = str(payload.get("ruleName", "Règle"))
        data = {"jobId": job_id, "ruleId": payload.get("ruleId"), "ruleName": name}
        return Message(
            "rule_executed", f'Règle "{name}" exécutée', f"{total} mail(s) traité(s).", data
        )
    title = _COMPLETED_TITLES.get(job_type, "Tâche terminée")
    if job_type in ("import_mbox", "import_imap"):
        errors = rng.randint(0, 2)
        skipped = rng.randint(0, total // 10) if total > errors else 0
        imported = max(0, total - skipped - errors)
        body = f"{imported} mail(s) importé(s), {skipped} ignoré(s), {errors} erreur(s)."
        data = {"jobId": job_id, "imported": imported, "skipped": skipped, "errors": errors}
        return Message("job_completed", title, body, data)
    if job_type == "archive_mails":
        body = f"{total} mail(s) archivé(s) sur le NAS."
    elif job_type == "apply_retention":
        body = f"{total} mail(s) supprimé(s) par la politique de rétention."
    else:
        body = f"{total} mail(s) traité(s)."
    return Message("job_completed", title, body, {"jobId": job_id, "count": total})


def job_failed(job_type: str, job_id: str, error: str, payload: dict[str, Any]) -> Message | None:
    """The notification of one failed attempt of a job, if the server sends any."""
    if job_type in SILENT_JOB_TYPES:
        return None
    data: dict[str, Any] = {"jobId": job_id}
    if job_type == "bulk_operation":
        data["action"] = payload.get("action", "trash")
    if job_type == "run_rule":
        data["ruleId"] = payload.get("ruleId")
    return Message("job_failed", _FAILED_TITLES.get(job_type, "Tâche échouée"), error, data)


def weekly_report(rng: random.Random) -> Message:
    completed, failed = rng.randint(1, 25), rng.randint(0, 3)
    archived = rng.randint(0, 900)
    size = archived * rng.randint(20_000, 120_000)
    senders = sorted(rng.sample(SENDERS, 3), key=SENDERS.index)
    counts = sorted((rng.randint(3, 80) for _ in senders), reverse=True)
    data = {
        "jobsCompleted": completed,
        "jobsFailed": failed,
        "mailsArchived": archived,
        "archiveSizeBytes": size,
        "rulesExecuted": rng.randint(0, 30),
        "topSenders": [{"sender": s, "count": c} for s, c in zip(senders, counts, strict=True)],
    }
    body = f"{completed} jobs terminés · {archived} mails archivés ({size / _MB:.1f} Mo)"
    return Message("weekly_report", "Rapport hebdomadaire", body, data)


def quota_warning(rng: random.Random) -> Message:
    percent = rng.randint(80, 99)
    quota = 10 * _GB
    used = quota * percent // 100
    body = (
        f"Le stockage des archives atteint {percent} % du quota "
        f"({used / _GB:.1f} Go sur {quota // _GB} Go)."
    )
    data = {"usedBytes": used, "quotaBytes": quota, "percent": percent}
    return Message("quota_warning", "Quota de stockage bientôt atteint", body, data)


def integrity_alert(rng: random.Random) -> Message:
    missing, corrupted = rng.randint(1, 5), rng.randint(0, 2)
    body = f"{missing} fichier(s) EML manquant(s)."
    if corrupted:
        body = f"{missing} fichier(s) EML manquant(s), {corrupted} corrompu(s)."
    data = {
        "missingFiles": missing,
        "corruptedFiles": corrupted,
        "checkedFiles": rng.randint(500, 20_000),
    }
    return Message("integrity_alert", "Intégrité des archives", body, data)


def sample_message(category: str, rng: random.Random) -> Message:
    """A realistic notification of ``category`` (unknown categories get a generic text)."""
    if category == "weekly_report":
        return weekly_report(rng)
    if category == "quota_warning":
        return quota_warning(rng)
    if category == "integrity_alert":
        return integrity_alert(rng)
    stamp = 1_700_000_000_000 + rng.randint(0, 10**11)
    message: Message | None
    if category == "rule_executed":
        payload = job_payload("run_rule", "sample", rng)
        message = job_completed("run_rule", bullmq_id("run_rule", stamp), 17, payload, rng)
    elif category == "job_completed":
        job_id = bullmq_id("archive_mails", stamp)
        message = job_completed("archive_mails", job_id, rng.randint(1, 500), {}, rng)
    elif category == "job_failed":
        message = job_failed("import_mbox", bullmq_id("import_mbox", stamp), rng.choice(ERRORS), {})
    else:
        message = Message(category, "Notification", None, None)
    assert message is not None
    return message
