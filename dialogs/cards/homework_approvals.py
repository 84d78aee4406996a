"""How an approval card words a home-work day (subject "homework_day")."""

from __future__ import annotations

from bot.domain.approvals import HomeworkDaySummary
from bot.i18n import Translator
from dialogs.cards.approvals import SubjectText


def homework_day_text(summary: HomeworkDaySummary, t: Translator) -> SubjectText:
    place = t(f"homework.place_{summary.place}")
    if summary.location:
        place = t("homework.place_with_location", place=place, location=summary.location)
    warnings = []
    if summary.anchor_day:
        warnings.append(t("homework.approval_anchor_warning", weekday=t.date(summary.day, "EEEE")))
    if summary.office_days_left is not None:
        warnings.append(
            t("homework.approval_below_minimum", left=summary.office_days_left, minimum=summary.minimum_office_days)
        )
    return SubjectText(
        title=t("homework.approval_title", name=summary.staff_name, day=t.date(summary.day)),
        facts=[
            (t("homework.fact_staff"), summary.staff_name),
            (t("homework.fact_day"), t.date(summary.day)),
            (t("homework.fact_place"), place),
            (t("homework.fact_part"), t(f"homework.part_{summary.part}")),
        ],
        warning=" ".join(warnings) or None,
    )
