"""What the server's refusal codes mean to the person at the app, in words the app translates.

The server's `detail` is English and names ids and values; the code is stable (docs/sync.md lists them). A code here
gives the user a sentence in their language beside that detail; a code not here shows the detail alone. One row per
code: a new refusal the app's users meet is a row here.
"""

from __future__ import annotations

from core.messages import Message, compose, translate

MEANINGS: dict[str, Message] = {
    "forbidden": translate("refusals", "your role does not allow this in this project"),
    "not_a_lead": translate("refusals", "only a lead of this project may do this"),
    "not_found": translate("refusals", "the server does not have it (removed, or never sent)"),
    "unauthenticated": translate("refusals", "you are not signed in"),
    "invalid_token": translate("refusals", "your sign-in has ended"),
    "revoked_device": translate("refusals", "an administrator revoked this device"),
    "rate_limited": translate("refusals", "too many tries: wait a little and try again"),
    "bad_transition": translate("refusals", "the task is not at a step where this can be done (someone else may "
                                "have acted on it first)"),
    "not_accepted": translate("refusals", "the task has not been accepted yet"),
    "replica": translate("refusals", "this task is a copy given for consensus or gold; act on its original"),
    "replica_holder": translate("refusals", "this annotator already holds a copy of the task"),
    "task_mismatch": translate("refusals", "it belongs to another task"),
    "stale_guidelines": translate("refusals", "someone saved newer guidelines meanwhile: reload them first"),
    "media_changed": translate("refusals", "the media file changed on the server"),
    "media_unavailable": translate("refusals", "the server cannot reach its media storage right now"),
    "hash_mismatch": translate("refusals", "a file arrived damaged; it is sent again"),
    "unknown_media": translate("refusals", "a file it needs has not been uploaded"),
    "exists": translate("refusals", "one with this name exists already"),
    "weak_password": translate("refusals", "the password is too weak"),
    "device_key_in_use": translate("refusals", "this device is registered to another user"),
    "out_of_order": translate("refusals", "another workspace of this computer synced in between; syncing again "
                              "fixes it"),
}


def meaning(code: str) -> Message | None:
    """The user's sentence for a refusal `code`, None for one the app has no words for."""
    return MEANINGS.get(code)


def refusal_text(code: str, detail: str) -> Message:
    """The server's `detail`, after the user's sentence for `code` when there is one."""
    said = meaning(code)
    return compose("{detail}", detail=detail) if said is None else translate(
        "refusals", "{meaning} ({detail})").format(meaning=said, detail=detail)
