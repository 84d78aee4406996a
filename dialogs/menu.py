"""Main menu: "menu", "help" and any text nobody else understood.

Steps: resolve the user's roles -> list the flows those roles can open -> menu card.
A menu button (menu.open) starts the chosen flow through its registered opener; the Menu button
every card carries (menu.show) brings the menu back.
"""

from __future__ import annotations

from bot.registry import Registry
from bot.routing import Router
from bot.turn import Turn
from dialogs.cards.base import ShowMenu
from dialogs.cards.menu import MenuItem, MenuView, OpenFlow, menu_card, welcome_card

# Order of the menu; a flow appears only when it registered an opener and the user's roles allow it.
MENU_ORDER: tuple[MenuItem, ...] = (
    MenuItem("homework", "menu.homework"),
    MenuItem("homework.overview", "menu.homework_overview"),
    MenuItem("equipment", "menu.equipment"),
    MenuItem("allowance", "menu.allowance"),
    MenuItem("allowance.mine", "menu.my_allowances"),
    MenuItem("webinars", "menu.webinars"),
    MenuItem("coaching", "menu.coaching"),
    MenuItem("team", "menu.team"),
    MenuItem("approvals", "menu.approvals"),
    MenuItem("logistics", "menu.logistics"),
    MenuItem("webinars.manage", "menu.hr_webinars"),
    MenuItem("broadcasts", "menu.broadcasts"),
    MenuItem("coaching.queue", "menu.coaching_queue"),
    MenuItem("reports", "menu.reports"),
    MenuItem("payroll", "menu.payroll"),
    MenuItem("privacy", "menu.my_data"),
)

MENU_PHRASES = ("menu", "help", "hulp", "start", "?", "opties", "options")


def menu_view(router: Router, turn: Turn) -> MenuView:
    """The flows the staff member may open: those whose opener needs no role or one of theirs (the
    roles each flow registered, checked as the router checks them)."""
    openers = router.openers()
    staff = turn.me
    items = [
        item for item in MENU_ORDER
        if item.flow in openers and (openers[item.flow] is None or staff.has(*openers[item.flow]))
    ]
    return MenuView(name=staff.display_name.split(" ")[0], items=items)


def register(registry: Registry) -> None:
    """Register the menu's commands, its button verb and the fallback for text nobody understood."""
    router = registry.router

    async def show_menu(turn: Turn, _text: str) -> dict | str:
        if turn.staff is None:
            return turn.t("common.unknown_user")
        return menu_card(turn.t, menu_view(router, turn))

    async def open_flow(turn: Turn, payload: OpenFlow) -> dict | str | None:
        return await router.open_flow(turn, payload.flow)

    async def menu_button(turn: Turn, _payload: ShowMenu) -> dict | str:
        return await show_menu(turn, "")

    router.command(MENU_PHRASES, show_menu)
    router.action(OpenFlow, open_flow)
    router.action(ShowMenu, menu_button)
    router.fallback(show_menu)


def welcome(router: Router, turn: Turn) -> dict:
    """The card sent when the app is installed or the chat is opened."""
    return welcome_card(turn.t, menu_view(router, turn) if turn.staff is not None else None)
