"""A project's spot-review settings (the `qa` column of projects): how its submitted tasks are grouped in lots and
which plan samples them. Checked strictly, field by field, so a typo is a clear 422 and never a lot judged by a
plan nobody chose. None means no sampling: the lead reviews every submitted task."""

from __future__ import annotations

import math
import re
from typing import Any

from core.sampling import AQL_LABELS, AQLS, SamplingError, aql_index, code_letter, percentage_plan
from sync.server.errors import ApiError

LOT_KINDS = ("annotator_day", "batch")
ON_REJECT = ("return", "inspect_all")
FIELDS = ("lots", "plan", "on_reject", "reduced_allowed", "utc_offset_minutes")
MAX_OFFSET = 14 * 60  # UTC-12:00 .. UTC+14:00
MAX_MIN_SAMPLE = 10**9


def _bad(field: str, detail: str) -> ApiError:
    return ApiError(422, "bad_qa", f"QA settings: {detail}", field=field)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_settings(value: Any) -> dict[str, Any] | None:
    """The settings with every default filled in, or None for no sampling; ApiError(422) naming the bad field."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("qa", "an object with lots, plan, on_reject, reduced_allowed and utc_offset_minutes, or null "
                   "for no sampling")
    unknown = sorted(str(k) for k in value if k not in FIELDS)
    if unknown:
        raise _bad(unknown[0], f"unknown setting {unknown[0]!r:.60}; the settings are {', '.join(FIELDS)}")
    lots = value.get("lots", "annotator_day")
    if lots not in LOT_KINDS:
        raise _bad("lots", "lots is 'annotator_day' (each annotator's work of one day) or 'batch'")
    if "plan" not in value:
        raise _bad("plan", 'a plan is needed: {"kind": "iso", "level": "II", "aql": 1.0} or {"kind": "percent", '
                   '"percent": 10}')
    on_reject = value.get("on_reject", "return")
    if on_reject not in ON_REJECT:
        raise _bad("on_reject", "on_reject is 'return' (send the lot back) or 'inspect_all' (review every task)")
    reduced = value.get("reduced_allowed", False)
    if not isinstance(reduced, bool):
        raise _bad("reduced_allowed", "reduced_allowed is true or false")
    offset = value.get("utc_offset_minutes", 0)
    if not _integer(offset) or not -12 * 60 <= offset <= MAX_OFFSET:
        raise _bad("utc_offset_minutes", "utc_offset_minutes (where a day ends) is a whole number of minutes from "
                   "-720 to 840")
    return {"lots": lots, "plan": parse_plan(value["plan"]), "on_reject": on_reject, "reduced_allowed": reduced,
            "utc_offset_minutes": offset}


def parse_plan(plan: Any) -> dict[str, Any]:
    """An ISO 2859-1 plan (inspection level and AQL) or a plain percentage, checked with core.sampling's rules."""
    if not isinstance(plan, dict):
        raise _bad("plan", "the plan is an object whose kind is 'iso' or 'percent'")
    kind = plan.get("kind")
    allowed = {"iso": ("kind", "level", "aql"), "percent": ("kind", "percent", "min", "accept")}.get(str(kind))
    if allowed is None:
        raise _bad("plan.kind", "plan.kind is 'iso' (ISO 2859-1 single sampling) or 'percent'")
    unknown = sorted(str(k) for k in plan if k not in allowed)
    if unknown:
        raise _bad(f"plan.{unknown[0]:.60}", f"a {kind} plan has no field {unknown[0]!r:.60}; its fields are "
                   f"{', '.join(allowed)}")
    if kind == "iso":
        level, aql = plan.get("level", "II"), plan.get("aql", "")
        if not isinstance(level, str):
            raise _bad("plan.level", "plan.level is an inspection level such as 'II'")
        if not _number(aql):
            raise _bad("plan.aql", "plan.aql is a number, one of the standard's AQLs such as 1.0")
        try:
            code_letter(2, level)
        except SamplingError as exc:
            raise _bad("plan.level", str(exc)) from None
        try:
            index = aql_index(float(aql))
        except SamplingError as exc:
            raise _bad("plan.aql", str(exc)) from None
        return {"kind": "iso", "level": level, "aql": AQLS[index]}
    percent, least, accept = plan.get("percent"), plan.get("min", 1), plan.get("accept", 0)
    if not _number(percent):
        raise _bad("plan.percent", "plan.percent is a number more than 0 and at most 100")
    for name, number in (("min", least), ("accept", accept)):
        if not _integer(number) or not 0 <= number <= MAX_MIN_SAMPLE:
            raise _bad(f"plan.{name}", f"plan.{name} is a whole number from 0 to {MAX_MIN_SAMPLE:,}")
    for name, args in (("percent", (percent,)), ("min", (100, least, accept))):
        try:
            percentage_plan(1, *args)
        except SamplingError as exc:
            raise _bad(f"plan.{name}", str(exc)) from None
    return {"kind": "percent", "percent": percent, "min": least, "accept": accept}


def describe(settings: dict[str, Any] | None) -> str:
    """The settings in one sentence, for the CLI."""
    if settings is None:
        return "no sampling: the lead reviews every submitted task"
    offset = settings["utc_offset_minutes"]
    sign = "+" if offset >= 0 else "-"
    day = f"the day ends at midnight UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    lots = f"lots per annotator per day ({day})" if settings["lots"] == "annotator_day" else "lots per batch"
    plan = settings["plan"]
    if plan["kind"] == "iso":
        how = f"ISO 2859-1 single sampling, level {plan['level']}, AQL {AQL_LABELS[aql_index(plan['aql'])]}"
    else:
        how = (f"review {plan['percent']:g} % of each lot (at least {plan['min']}), accept it with {plan['accept']} "
               "or fewer defects")
    rejected = ("a rejected lot goes back to its annotator" if settings["on_reject"] == "return"
                else "a rejected lot is reviewed in full")
    reduced = "reduced inspection allowed" if settings["reduced_allowed"] else "no reduced inspection"
    return f"{lots}; {how}; {rejected}; {reduced}"


# --- consensus and gold (sync/server/replicas.py) --------------------------------------------------------------

QUALITY_FIELDS = ("consensus", "gold")
CONSENSUS_FIELDS = ("share", "annotators", "quorum", "min_agreement", "threshold")
GOLD_FIELDS = ("rate", "threshold")
MAX_ANNOTATORS = 20
DEFAULT_CONSENSUS: dict[str, Any] = {"share": 0.1, "annotators": 3, "min_agreement": 0.6, "threshold": 0.5}
DEFAULT_GOLD: dict[str, Any] = {"rate": 0.05, "threshold": 0.5}


def _bad_quality(field: str, detail: str) -> ApiError:
    return ApiError(422, "bad_quality", f"quality settings: {detail}", field=field)


def _fraction(section: str, name: str, value: Any, *, above_zero: bool = False) -> float:
    low = "more than 0" if above_zero else "from 0"
    if not _number(value) or not (0 < value <= 1 if above_zero else 0 <= value <= 1):
        raise _bad_quality(f"{section}.{name}", f"{section}.{name} is a number {low} to 1, not {value!r:.40}")
    return float(value)


def _fields(section: str, value: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad_quality(section, f"{section} is an object with {', '.join(allowed)}, or null (off)")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise _bad_quality(f"{section}.{unknown[0]:.60}", f"{section} has no setting {unknown[0]!r:.60}; its "
                           f"settings are {', '.join(allowed)}")
    return value


def parse_consensus(value: Any) -> dict[str, Any] | None:
    """Consensus settings with their defaults: the share of tasks drawn, annotators per task, the quorum that keeps
    a shape (default: a majority), the least agreement before a lead must look, and the least similarity of one
    object (core.agreement)."""
    if value is None:
        return None
    given = {**DEFAULT_CONSENSUS, **_fields("consensus", value, CONSENSUS_FIELDS)}
    count = given["annotators"]
    if not _integer(count) or not 2 <= count <= MAX_ANNOTATORS:
        raise _bad_quality("consensus.annotators", f"consensus.annotators (per task) is a whole number from 2 to "
                           f"{MAX_ANNOTATORS}, not {count!r:.40}")
    quorum = given.get("quorum", count // 2 + 1)
    if not _integer(quorum) or not 1 <= quorum <= count:
        raise _bad_quality("consensus.quorum", f"consensus.quorum is a whole number from 1 to the {count} annotators "
                           f"per task, not {quorum!r:.40}")
    return {"share": _fraction("consensus", "share", given["share"], above_zero=True), "annotators": count,
            "quorum": quorum, "min_agreement": _fraction("consensus", "min_agreement", given["min_agreement"]),
            "threshold": _fraction("consensus", "threshold", given["threshold"], above_zero=True)}


def parse_gold(value: Any) -> dict[str, Any] | None:
    """Gold settings with their defaults: gold replicas per real task of an annotator, and the least similarity of
    one object when a replica is scored against the answer."""
    if value is None:
        return None
    given = {**DEFAULT_GOLD, **_fields("gold", value, GOLD_FIELDS)}
    return {"rate": _fraction("gold", "rate", given["rate"], above_zero=True),
            "threshold": _fraction("gold", "threshold", given["threshold"], above_zero=True)}


def parse_quality(value: Any) -> dict[str, Any]:
    """A project's consensus and gold settings, each null (off) or an object checked field by field; ApiError(422)
    naming the bad field."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise _bad_quality("settings", 'the settings are an object: {"consensus": {...} or null, "gold": {...} or '
                           "null}")
    unknown = sorted(str(k) for k in value if k not in QUALITY_FIELDS)
    if unknown:
        raise _bad_quality(unknown[0][:60], f"unknown setting {unknown[0]!r:.60}; the settings are "
                           f"{', '.join(QUALITY_FIELDS)}")
    return {"consensus": parse_consensus(value.get("consensus")), "gold": parse_gold(value.get("gold"))}


def describe_quality(settings: dict[str, Any]) -> str:
    """The consensus and gold settings in one sentence, for the CLI."""
    c, g = settings["consensus"], settings["gold"]
    parts = [f"consensus: {c['share'] * 100:g} % of new tasks to {c['annotators']} annotators each, a shape kept by "
             f"{c['quorum']} or more, below agreement {c['min_agreement']:g} to a lead (objects match at "
             f"{c['threshold']:g})" if c else "consensus: off",
             f"gold: {g['rate']:g} gold replicas per real task, objects match at {g['threshold']:g}" if g
             else "gold: not set (mixing takes --mix RATE)"]
    return "; ".join(parts)


# --- review stages (sync/server/service.py review) -------------------------------------------------------------

STAGE_ROLES = ("admin", "lead")  # "lead": a lead of the project; annotators never decide
DEFAULT_STAGES: list[dict[str, Any]] = [{"name": "review", "who": ["lead", "admin"]}]
MAX_STAGES = 10
MAX_WHO = 100
_STAGE_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
_USER_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,64}")  # service._NAME


def _bad_stage(field: str, detail: str) -> ApiError:
    return ApiError(422, "bad_stages", f"review stages: {detail}", field=field)


def parse_stages(value: Any) -> list[dict[str, Any]]:
    """A project's review stages in order, each {"name", "who"}: who is a list of roles (admin; lead: a lead of the
    project) and user names (a lead of the project or an admin). None: the one stage of today, "review" by the
    project's leads and admins. ApiError(422) naming the bad field; whether named users exist is service's check."""
    if value is None:
        return [dict(s, who=list(s["who"])) for s in DEFAULT_STAGES]
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_STAGES:
        raise _bad_stage("stages", f'stages is a list of 1 to {MAX_STAGES} stages such as {{"name": "review", '
                         '"who": ["lead"]}, or null for one review by the leads and admins')
    out: list[dict[str, Any]] = []
    for i, stage in enumerate(value):
        where = f"stages[{i}]"
        if not isinstance(stage, dict):
            raise _bad_stage(where, f'{where} is an object {{"name": ..., "who": [...]}}')
        unknown = sorted(str(k) for k in stage if k not in ("name", "who"))
        if unknown:
            raise _bad_stage(f"{where}.{unknown[0]:.60}", f"a stage has no field {unknown[0]!r:.60}; its fields "
                             "are name, who")
        name = stage.get("name")
        if not isinstance(name, str) or not _STAGE_NAME.fullmatch(name):
            raise _bad_stage(f"{where}.name", f"{where}.name is 1-32 letters, digits, _ or -")
        if any(s["name"] == name for s in out):
            raise _bad_stage(f"{where}.name", f"two stages are named {name!r}")
        who = stage.get("who")
        if not isinstance(who, list) or not 1 <= len(who) <= MAX_WHO:
            raise _bad_stage(f"{where}.who", f"{where}.who is a list of 1 to {MAX_WHO} roles ({', '.join(STAGE_ROLES)})"
                             " and user names")
        for j, entry in enumerate(who):
            if not isinstance(entry, str) or not _USER_NAME.fullmatch(entry):
                raise _bad_stage(f"{where}.who[{j}]", f"{where}.who[{j}] is a role ({', '.join(STAGE_ROLES)}) or "
                                 "a user name")
        out.append({"name": name, "who": list(dict.fromkeys(who))})
    return out


def stage_users(stages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(field, user name) of each entry of a stage's who that is not a role, for the caller to check."""
    return [(f"stages[{i}].who[{j}]", w) for i, s in enumerate(stages) for j, w in enumerate(s["who"])
            if w not in STAGE_ROLES]


def may_act(stage: dict[str, Any], name: str, role: str, leads_project: bool) -> bool:
    """Whether a user may decide at this stage: a reviewer of the project (a lead of it, or an admin) whose role or
    name the stage lists."""
    return leads_project and (role in stage["who"] or name in stage["who"])
