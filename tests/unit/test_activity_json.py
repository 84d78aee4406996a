"""The replies' JSON without msrest is msrest's JSON: the same dict for every shape the bot sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    Entity,
    InputHints,
    Mention,
    SuggestedActions,
    TextFormatTypes,
)
from botbuilder.schema.teams import FileConsentCard

from bot.activity_json import activity_json
from bot.app import invoke_body_json

CARD = {
    "type": "AdaptiveCard", "version": "1.5", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "body": [{"type": "TextBlock", "text": "Thuiswerk geregistreerd: maandag 14 januari — thuis", "wrap": True, "size": None},
             {"type": "FactSet", "facts": [{"title": "Dag", "value": "14/01"}, {"title": "Uren", "value": 7.6}]},
             {"type": "Input.ChoiceSet", "id": "place", "isMultiSelect": False, "choices": [], "value": 0}],
    "actions": [{"type": "Action.Execute", "verb": "approval.decide", "data": {"approval_id": 12, "decision": "approve", "nested": [1, None, {"x": "é"}]}}],
    "refresh": {"userIds": ["29:a", "29:b"], "action": {"type": "Action.Execute", "verb": "approval.refresh"}},
}
REFERENCE = ConversationReference(
    activity_id="in-1", user=ChannelAccount(id="29:user", name="Ann", aad_object_id="aad-1", role="user"),
    bot=ChannelAccount(id="28:bot", name="Hybride werk"), channel_id="msteams", service_url="https://smba.example/emea/",
    conversation=ConversationAccount(id="a:conv", conversation_type="personal", tenant_id="tenant-1", is_group=False),
    locale="nl-BE",
)


def _addressed(activity: Activity) -> Activity:
    return TurnContext.apply_conversation_reference(activity, REFERENCE)


def activities() -> list[Activity]:
    mention = Mention(mentioned=ChannelAccount(id="29:x", name="Xavier"), text="<at>Xavier</at>", type="mention")
    return [
        _addressed(MessageFactory.text("Goedemorgen")),
        _addressed(MessageFactory.attachment(CardFactory.adaptive_card(CARD))),
        _addressed(MessageFactory.carousel([CardFactory.adaptive_card(CARD), CardFactory.adaptive_card({"type": "AdaptiveCard"})])),
        _addressed(Activity(type=ActivityTypes.message, text="<at>Xavier</at> kijk", entities=[mention, Entity(type="clientInfo")],
                            text_format=TextFormatTypes.xml, input_hint=InputHints.accepting_input,
                            timestamp=datetime(2026, 1, 14, 9, 30, 5, 120000, tzinfo=timezone(timedelta(hours=1))),
                            local_timestamp=datetime(2026, 1, 14, 9, 30, 5, tzinfo=UTC),
                            suggested_actions=SuggestedActions(to=["29:x"], actions=[CardAction(type="imBack", title="Ja", value={"a": 1})]),
                            channel_data={"notification": {"alert": True}, "tenant": {"id": "t"}}, attachments=[])),
        _addressed(Activity(type="message", attachments=[Attachment(content_type="application/vnd.microsoft.teams.card.file.consent",
                                                                    name="rapport.xlsx", content=FileConsentCard(description="d", size_in_bytes=10))])),
        Activity(type=ActivityTypes.message, id="act-9", text="bijgewerkt", conversation=ConversationAccount(id="a:conv"),
                 timestamp=datetime(2026, 1, 14, 9, 30)),  # naive: msrest's own path
        Activity(type=ActivityTypes.invoke_response, value={"status": 200, "body": {"statusCode": 200}}),
        Activity(type="message", channel_data={"when": datetime(2026, 1, 1, tzinfo=UTC), "ids": (1, 2)}),
    ]


@pytest.mark.parametrize("activity", activities(), ids=lambda a: f"{a.type}:{(a.text or '')[:10]}")
def test_the_json_is_msrests(activity: Activity) -> None:
    assert activity_json(activity) == activity.serialize()


def test_a_card_reply_is_written_without_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    activity = activities()[1]
    expected = activity.serialize()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("msrest was used")

    monkeypatch.setattr(Activity, "serialize", refuse)
    assert activity_json(activity) == expected


@pytest.mark.parametrize(
    "body",
    [
        AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD),
        AdaptiveCardInvokeResponse(status_code=200, type="application/vnd.microsoft.activity.message", value={"text": "ok"}),
        AdaptiveCardInvokeResponse(status_code=400, type="application/vnd.microsoft.error", value={"code": "BadRequest", "message": "x"}),
    ],
    ids=["card", "message", "error"],
)
def test_an_invoke_answer_is_msrests(body: AdaptiveCardInvokeResponse) -> None:
    assert invoke_body_json(body) == body.serialize()
    assert invoke_body_json({"statusCode": 200}) == {"statusCode": 200}
