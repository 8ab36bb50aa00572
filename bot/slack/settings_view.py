"""The channel settings modal and the App Home tab, as Block Kit; and reading a submitted
modal back into a ChannelSettings, with an error per field. Pure: no Slack calls, no store.

    view = settings_modal(choices, channel="C123", current=settings)
    chosen, errors = read_submission(view_state, choices)   # errors: {block_id: message}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.store import ChannelSettings, DigestSchedule, WorkspaceSettings

CALLBACK_ID = "channel_settings"
# action_ids: the channel picker (reloads the modal with that channel's settings), and the
# App Home buttons (edit one channel, or pick one to configure; a workspace admin's switch of
# who may change settings, its value "on" or "off").
PICK_CHANNEL = "settings_channel"
EDIT_CHANNEL = "settings_edit"
CONFIGURE = "settings_configure"
ADMINS_ONLY = "settings_admins_only"

DEFAULT = "default"  # an option's value meaning "as the bot is configured"
MAX_LANGUAGE = 40
MAX_DAILY_TOKENS = 1_000_000_000
MAX_HOME_CHANNELS = 40  # App Home holds 100 blocks; two per channel, and room for the rest
# A language's name in any script: "Spanish", "Brazilian Portuguese", "日本語", "Serbo-Croatian".
_LANGUAGE = re.compile(r"^[^\W\d_]+(?:[ '-][^\W\d_]+)*$")


@dataclass(frozen=True, slots=True)
class Choices:
    """What the modal may offer, and the bot's defaults it shows."""

    styles: tuple[str, ...]
    models: tuple[str, ...]  # empty: no model configured (offline), nothing to choose
    default_style: str
    default_model: str | None
    auto_channels: tuple[str, ...]  # SLACK_AUTO_CHANNELS
    admins_only: bool = False


@dataclass(frozen=True, slots=True)
class Unlisted:
    """What App Home leaves out besides private channels the person isn't in: `unchecked`
    channels Slack couldn't say who may see (`error`: what it said), and whether there were
    `more` than App Home holds."""

    unchecked: int = 0
    error: str | None = None
    more: bool = False


# --- the modal ---------------------------------------------------------------------------


def _text(text: str, kind: str = "plain_text") -> dict[str, Any]:
    return {"type": kind, "text": text}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label[:75]), "value": value}


def _select(
    block_id: str, label: str, options: list[dict[str, Any]], initial: str, hint: str
) -> dict[str, Any]:
    chosen = next((o for o in options if o["value"] == initial), options[0])
    return {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "hint": _text(hint),
        "element": {
            "type": "static_select",
            "action_id": block_id,
            "options": options,
            "initial_option": chosen,
        },
    }


def settings_modal(
    choices: Choices,
    *,
    channel: str | None,
    current: ChannelSettings | None = None,
    pick: bool = False,
    response_url: str | None = None,
    in_channel: bool = False,
    notice: str | None = None,
) -> dict[str, Any]:
    """The modal for `channel`'s settings (`current` filled in). `pick`: the channel is
    chosen in the modal (from App Home); changing it reloads the modal for that channel.
    `in_channel`: opened by the command typed in `channel` (kept in private_metadata, which
    only the app sets: its submission needs no check of who can see the channel).
    `notice`: instead of the settings, why they aren't shown (under the picker)."""
    current = current or ChannelSettings()
    # Slack keeps what was entered in an input across views.update when its block_id stays
    # the same: a block_id per channel makes a reload show the picked channel's values.
    suffix = f".{channel}" if pick and channel else ""
    blocks: list[dict[str, Any]] = []
    if pick:
        picker: dict[str, Any] = {
            "type": "conversations_select",
            "action_id": PICK_CHANNEL,
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        }
        if channel:
            picker["initial_conversation"] = channel
        blocks.append(
            {
                "type": "input",
                "block_id": "channel",
                "dispatch_action": True,
                "label": _text("Channel"),
                "element": picker,
            }
        )
    else:
        blocks.append({"type": "section", "text": _text(f"Settings for <#{channel}>", "mrkdwn")})
    if notice is not None:
        blocks.append({"type": "section", "text": _text(notice, "mrkdwn")})
        return _modal(blocks, {"channel": None if pick else channel})
    styles = [_option(f"Default ({choices.default_style})", DEFAULT)]
    styles += [_option(style, style) for style in choices.styles]
    blocks.append(
        _select(
            "style" + suffix,
            "Summary style",
            styles,
            current.style or DEFAULT,
            "How summaries look here, unless someone asks for another (`--style`).",
        )
    )
    language: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "language",
        "max_length": MAX_LANGUAGE,
        "placeholder": _text("e.g. Spanish"),
    }
    if current.language:
        language["initial_value"] = current.language
    blocks.append(
        {
            "type": "input",
            "block_id": "language" + suffix,
            "optional": True,
            "label": _text("Reply language"),
            "hint": _text("Empty: replies in the article's language."),
            "element": language,
        }
    )
    listed = "on" if channel and channel in choices.auto_channels else "off"
    offers = [
        _option(f"Default ({listed}, as the bot was set up)", DEFAULT),
        _option("On: offer to summarize links shared here", "on"),
        _option("Off", "off"),
    ]
    offer = DEFAULT if current.auto_offer is None else ("on" if current.auto_offer else "off")
    blocks.append(
        {
            "type": "input",
            "block_id": "auto_offer" + suffix,
            "label": _text("“Summarize?” offer on shared links"),
            "element": {
                "type": "radio_buttons",
                "action_id": "auto_offer",
                "options": offers,
                "initial_option": next(o for o in offers if o["value"] == offer),
            },
        }
    )
    if choices.models:
        models = [_option(f"Default ({choices.default_model})", DEFAULT)]
        models += [_option(model, model) for model in choices.models]
        blocks.append(
            _select(
                "model" + suffix,
                "AI model",
                models,
                current.model or DEFAULT,
                "The models the bot was set up to offer.",
            )
        )
        budget: dict[str, Any] = {
            "type": "number_input",
            "action_id": "daily_tokens",
            "is_decimal_allowed": False,
            "min_value": "0",
            "placeholder": _text("No limit"),
        }
        if current.daily_tokens is not None:
            budget["initial_value"] = str(current.daily_tokens)
        blocks.append(
            {
                "type": "input",
                "block_id": "daily_tokens" + suffix,
                "optional": True,
                "label": _text("Daily token budget"),
                "hint": _text(
                    "Model tokens per day (UTC). When they are used up, the offline engine "
                    "answers here until midnight UTC. Empty: no limit."
                ),
                "element": budget,
            }
        )
    else:
        note = "No AI model is configured: the offline engine answers everywhere."
        blocks.append({"type": "context", "elements": [_text(note, "mrkdwn")]})
    metadata: dict[str, Any] = {"channel": None if pick else channel, "response_url": response_url}
    if in_channel and not pick:
        metadata["in_channel"] = True
    return _modal(blocks, metadata)


def _modal(blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text("Channel settings"),
        "submit": _text("Save"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def notice_modal(text: str) -> dict[str, Any]:
    """A modal that only says something (e.g. why the settings can't be changed)."""
    return {
        "type": "modal",
        "title": _text("Channel settings"),
        "close": _text("Close"),
        "blocks": [{"type": "section", "text": _text(text, "mrkdwn")}],
    }


# --- reading a submission ----------------------------------------------------------------


def metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _block(state: Mapping[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    """The block `name` (or `name.<channel>`) of a submitted modal: its block_id, and its
    one element's state ({} when the block isn't there)."""
    values = state.get("values") or {}
    for block_id, elements in values.items():
        if block_id == name or block_id.startswith(name + "."):
            found: Any = next(iter(elements.values()), {}) if elements else {}
            return block_id, found if isinstance(found, dict) else {}
    return name, {}


def _value(state: Mapping[str, Any], name: str) -> dict[str, Any]:
    return _block(state, name)[1]


def first_input(view: Mapping[str, Any]) -> str:
    """The block_id of the form's first input: where an error about the whole form shows."""
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return "style"


def opened_in_channel(view: Mapping[str, Any]) -> bool:
    """Whether the form was opened by `/articlebot settings` typed in its channel."""
    data = metadata(view)
    return bool(data.get("in_channel")) and bool(data.get("channel"))


def picked_channel(view: Mapping[str, Any]) -> str | None:
    """The modal's channel: fixed when opened for one, else the picker's."""
    fixed = metadata(view).get("channel")
    if fixed:
        return str(fixed)
    chosen = _value(view.get("state") or {}, "channel").get("selected_conversation")
    return str(chosen) if chosen else None


def read_submission(
    view: Mapping[str, Any], choices: Choices
) -> tuple[str | None, ChannelSettings, dict[str, str]]:
    """(channel, the settings chosen, errors by block id): errors empty means valid."""
    state = view.get("state") or {}
    errors: dict[str, str] = {}
    channel = picked_channel(view)
    if channel is None:
        errors["channel"] = "Pick the channel these settings are for."

    style_block, style_state = _block(state, "style")
    style = (style_state.get("selected_option") or {}).get("value") or DEFAULT
    if style != DEFAULT and style not in choices.styles:
        listed = ", ".join(choices.styles)
        errors[style_block] = f"“{style[:40]}” isn't a summary style here. Pick one of: {listed}."

    language_block, language_state = _block(state, "language")
    language = " ".join(str(language_state.get("value") or "").split())
    if language and (len(language) > MAX_LANGUAGE or not _LANGUAGE.match(language)):
        errors[language_block] = "Write a language's name, e.g. Spanish (letters only)."

    offer = (_value(state, "auto_offer").get("selected_option") or {}).get("value") or DEFAULT

    model_block, model_state = _block(state, "model")
    model = (model_state.get("selected_option") or {}).get("value") or DEFAULT
    if model != DEFAULT and model not in choices.models:
        errors[model_block] = f"“{model[:60]}” isn't one of the models on offer."

    daily_block, daily_state = _block(state, "daily_tokens")
    raw = str(daily_state.get("value") or "").strip().replace(",", "")
    daily: int | None = None
    if raw:
        if not raw.isdigit() or int(raw) > MAX_DAILY_TOKENS:
            errors[daily_block] = (
                f"A whole number of tokens from 0 to {MAX_DAILY_TOKENS:,}, or empty for no limit."
            )
        else:
            daily = int(raw)

    chosen = ChannelSettings(
        style=None if style == DEFAULT else style,
        language=language or None,
        auto_offer=None if offer == DEFAULT else offer == "on",
        model=None if model == DEFAULT else model,
        daily_tokens=daily,
    )
    return channel, chosen, errors


# --- App Home ----------------------------------------------------------------------------


def describe(
    chosen: ChannelSettings, choices: Choices, channel: str, used: int | None = None
) -> str:
    """One channel's settings in a line of mrkdwn (with today's tokens when `used`)."""
    style = chosen.style or f"default ({choices.default_style})"
    language = chosen.language or "the article's"
    if chosen.auto_offer is None:
        offer = "default (" + ("on" if channel in choices.auto_channels else "off") + ")"
    else:
        offer = "on" if chosen.auto_offer else "off"
    parts = [f"Style: {style}", f"Language: {language}", f"Offer: {offer}"]
    if choices.models:
        parts.append(f"Model: {chosen.model or f'default ({choices.default_model})'}")
        budget = (
            "no limit" if chosen.daily_tokens is None else f"{chosen.daily_tokens:,} tokens a day"
        )
        if used is not None:
            budget += f" ({used:,} used today)"
        parts.append(f"Budget: {budget}")
    return " · ".join(parts)


def home_view(
    choices: Choices,
    configured: Mapping[str, ChannelSettings],
    used: Mapping[str, int],
    workspace: WorkspaceSettings | None = None,
    *,
    unlisted: Unlisted | None = None,
) -> dict[str, Any]:
    """The App Home tab: who may change settings here (`choices.admins_only`; `workspace`:
    what an admin saved, if anything), then every channel with settings of its own in
    `configured` (those the person can see), each with an Edit button, and a note of what
    `unlisted` says is left out."""
    unlisted = unlisted or Unlisted()
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _text("Channel settings")},
        {
            "type": "section",
            "text": _text(
                f"Each channel can have its own {_what_is_set(choices)}. Run "
                "`/articlebot settings` in a channel, or:",
                "mrkdwn",
            ),
            "accessory": {
                "type": "button",
                "action_id": CONFIGURE,
                "text": _text("Configure a channel"),
            },
        },
    ]
    defaults = f"Defaults: style {choices.default_style}"
    if choices.default_model:
        defaults += f", model {choices.default_model}"
    else:
        defaults += ", the offline engine (no AI model configured)"
    blocks.append({"type": "context", "elements": [_text(defaults, "mrkdwn")]})
    blocks += _who_may_change(choices.admins_only, workspace)
    blocks.append({"type": "divider"})
    shown = [c for c, s in configured.items() if not s.is_default][:MAX_HOME_CHANNELS]
    if not shown:
        blocks.append(
            {
                "type": "section",
                # Of those this person can see: private channels they aren't in, and
                # channels Slack couldn't say anything about, are left out.
                "text": _text("No channel you can see has settings of its own.", "mrkdwn"),
            }
        )
    for channel in shown:
        chosen = configured[channel]
        text = f"*<#{channel}>*\n{describe(chosen, choices, channel, used.get(channel, 0))}"
        blocks.append(
            {
                "type": "section",
                "block_id": f"channel_{channel}",
                "text": _text(text[:3000], "mrkdwn"),
                "accessory": {
                    "type": "button",
                    "action_id": EDIT_CHANNEL,
                    "value": channel,
                    "text": _text("Edit"),
                },
            }
        )
        if chosen.updated_by:
            when = ""
            if chosen.updated_at:
                stamp = int(chosen.updated_at)
                when = f" on {_date(stamp)}"
            blocks.append(
                {
                    "type": "context",
                    "elements": [_text(f"Set by <@{chosen.updated_by}>{when}", "mrkdwn")],
                }
            )
    hidden = len([s for s in configured.values() if not s.is_default]) - len(shown)
    if hidden > 0 or unlisted.more:
        more = "…and more channels with settings of their own."
        if hidden > 0 and not unlisted.more:
            more = f"…and {hidden} more channels with settings of their own."
        blocks.append({"type": "context", "elements": [_text(more, "mrkdwn")]})
    if unlisted.unchecked:
        blocks.append({"type": "context", "elements": [_text(_unchecked(unlisted), "mrkdwn")]})
    return {"type": "home", "blocks": blocks}


def digest_blocks(digests: Sequence[DigestSchedule]) -> list[dict[str, Any]]:
    """App Home's list of the link digests posted in channels the person can see (how
    often, who turned each on), or nothing when there are none."""
    if not digests:
        return []
    lines = []
    for digest in digests:
        who = f", turned on by <@{digest.user}>" if digest.user else ""
        lines.append(f"• <#{digest.channel}>: {digest.every}{who}")
    text = "*Link digests*\n" + "\n".join(lines)
    return [
        {"type": "divider"},
        {"type": "section", "text": _text(text[:3000], "mrkdwn")},
        {
            "type": "context",
            "elements": [_text("`/summarize digest off` in a channel stops its digest.", "mrkdwn")],
        },
    ]


def _what_is_set(choices: Choices) -> str:
    """The settings a channel can have here: no model or budget without a model."""
    if choices.models:
        return "summary style, reply language, “Summarize?” offer, AI model and daily token budget"
    return "summary style, reply language and “Summarize?” offer"


def _date(stamp: int) -> str:
    """A date Slack shows in the reader's time zone; where it can't (notifications, older
    clients), the fallback is the UTC date, not the raw Unix time."""
    fallback = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    return f"<!date^{stamp}^{{date_short}}|{fallback}>"


def _unchecked(unlisted: Unlisted) -> str:
    """Why some channels aren't listed: Slack couldn't say who may see them."""
    if unlisted.unchecked == 1:
        text = "1 channel with settings of its own isn't listed: I couldn't check who can see it"
    else:
        text = (
            f"{unlisted.unchecked} channels with settings of their own aren't listed: I "
            "couldn't check who can see them"
        )
    text += (
        f" (Slack said `{unlisted.error}`). Run `/articlebot settings` in a channel to see or "
        "change its settings."
    )
    if unlisted.error == "missing_scope":
        text += (
            " The app needs the `channels:read`, `groups:read` and `mpim:read` scopes: "
            "reinstall it to grant them."
        )
    return text


def _who_may_change(admins_only: bool, workspace: WorkspaceSettings | None) -> list[dict[str, Any]]:
    """Who may change channel settings here, and the switch a workspace admin flips (anyone
    may see it; the click is checked with users.info, bot.slack.settings_jobs)."""
    if admins_only:
        text = "*Who can change settings:* only workspace admins and owners."
        label, value, confirm = "Let everyone", "off", "Let anyone in the workspace change"
    else:
        text = "*Who can change settings:* anyone in the workspace."
        label, value, confirm = "Only admins", "on", "Let only workspace admins and owners change"
    button = {
        "type": "button",
        "action_id": ADMINS_ONLY,
        "value": value,
        "text": _text(label),
        "confirm": {
            "title": _text("Who can change settings"),
            "text": _text(f"{confirm} channel settings? Only a workspace admin can do this."),
            "confirm": _text(label),
            "deny": _text("Cancel"),
        },
    }
    if workspace is not None and workspace.admins_only is not None and workspace.updated_by:
        origin = f"Set by <@{workspace.updated_by}>"
        if workspace.updated_at:
            stamp = int(workspace.updated_at)
            origin += f" on {_date(stamp)}"
        origin += "; workspace admins and owners can change it."
    else:
        origin = "The bot's default, as it was set up; workspace admins and owners can change it."
    return [
        {"type": "section", "text": _text(text, "mrkdwn"), "accessory": button},
        {"type": "context", "elements": [_text(origin, "mrkdwn")]},
    ]


def saved_note(channel: str, chosen: ChannelSettings, choices: Choices) -> str:
    """What the person who saved the settings is told (ephemerally, in the channel)."""
    return f"Saved the settings of <#{channel}>. {describe(chosen, choices, channel)}"
