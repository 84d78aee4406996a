"""Cards of "Mijn gegevens": the start card (download my data, what my manager sees) and the
manager visibility card."""

from __future__ import annotations

from typing import Any, Literal

from microsoft_teams.cards import ActionSet, CardElement

from bot.actions import ActionData
from bot.domain.privacy import ManagerView
from bot.i18n import Translator
from dialogs.cards.base import card, execute, heading, text, title, with_menu


class ExportMyData(ActionData, verb="privacy.export"):
    format: Literal["xlsx", "json"] = "xlsx"


class ShowManagerView(ActionData, verb="privacy.manager_view"):
    pass


class ShowPrivacyHome(ActionData, verb="privacy.home"):
    pass


def _home_actions(t: Translator) -> list[Any]:
    return [
        execute(ExportMyData(format="xlsx"), t("privacy.download_xlsx"), style="positive"),
        execute(ExportMyData(format="json"), t("privacy.download_json")),
        execute(ShowManagerView(), t("privacy.manager_view")),
    ]


def privacy_home_card(t: Translator, *, notice: str | None = None) -> dict[str, Any]:
    body: list[CardElement] = [title(t("privacy.title")), text(t("privacy.intro"))]
    if notice:
        body.append(text(notice, color="Good"))
    body.append(text(t("privacy.retention_note"), subtle=True))
    return card(body, with_menu(t, _home_actions(t)))


def manager_view_card(t: Translator, view: ManagerView) -> dict[str, Any]:
    body: list[CardElement] = [title(t("privacy.manager_title"))]
    if view.manager_name:
        body.append(text(t("privacy.your_manager", name=view.manager_name)))
    else:
        body.append(text(t("privacy.no_manager")))
    if view.deputy_names:
        body.append(text(t("privacy.deputies", names=", ".join(view.deputy_names))))
    for area in view.areas:
        body.append(heading(t(f"privacy.area.{area.area}")))
        body.extend(text(f"✔ {t(key)}") for key in area.sees)
        body.extend(text(f"✖ {t(key)}", subtle=True) for key in area.does_not_see)
    body.append(text(t("privacy.hr_note"), subtle=True))
    body.append(ActionSet(actions=[execute(ShowPrivacyHome(), t("privacy.back"))]))
    return card(body, with_menu(t))
