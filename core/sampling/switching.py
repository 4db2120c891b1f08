"""The switching rules of ISO 2859-1:1999 clause 9 as a small state machine, fed one lot at a time.

- Inspection starts normal (9.2).
- Normal to tightened when 2 of 5 or fewer consecutive lots are not accepted (9.3.1).
- Tightened to normal after 5 consecutive accepted lots (9.3.2).
- Normal to reduced when the switching score has reached 30, production is steady and the responsible authority
  approves (9.3.3). We use the 1999 switching score, not 105E's "10 lots and the limit numbers of Table VIII". The
  score starts at 0 with normal inspection and, for single sampling: when Ac is 2 or more, gains 3 if the lot would
  have been accepted at the AQL one step tighter, otherwise goes back to 0; when Ac is 0 or 1, gains 2 if the lot is
  accepted, otherwise goes back to 0.
- Reduced to normal when a lot is not accepted or production is not steady (9.3.4).
- Discontinue when 5 lots have not been accepted since tightened inspection began (9.4: the count is cumulative, not
  5 in a row); after corrective action, `resume` starts tightened inspection again.

Only lots on original inspection count: a resubmitted lot is not fed in. The state is a value; the server stores
`to_dict()` and rebuilds it with `from_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from core.sampling.plans import SEVERITIES, Plan, SamplingError, Severity, aql_index, lot_decision, table_plan
from core.sampling.tables import AQLS

WINDOW = 5  # the lots that the normal-to-tightened and tightened-to-normal rules look back on
REDUCED_SCORE = 30
DISCONTINUE_AFTER = 5


@dataclass(frozen=True)
class Switching:
    """Where a stream of lots stands: the severity in force and what the rules count towards the next switch."""

    severity: Severity = "normal"
    recent: tuple[bool, ...] = ()  # accepted or not, for the last lots since the severity began, newest last
    score: int = 0  # the switching score; only normal inspection updates it
    tightened_rejections: int = 0  # lots not accepted since tightened inspection began
    discontinued: bool = False

    def record(self, defects: int, plan: Plan, *, steady: bool = True, reduced_allowed: bool = False) -> Switching:
        """The state after one lot inspected with `plan` (the plan of the severity in force). `steady` says
        production is at a steady rate; `reduced_allowed` is the responsible authority's approval of reduced
        inspection."""
        if self.discontinued:
            raise SamplingError("sampling inspection is discontinued: resume it after corrective action")
        if plan.severity != self.severity or plan.aql is None:
            raise SamplingError(f"the lot must be inspected with a {self.severity} ISO 2859-1 plan")
        accepted = lot_decision(defects, plan) == "accept"
        recent = (*self.recent, accepted)[-WINDOW:]
        if self.severity == "normal":
            score = _next_score(self.score, defects, plan, accepted)
            if recent.count(False) >= 2:
                return Switching("tightened")
            if score >= REDUCED_SCORE and steady and reduced_allowed:
                return Switching("reduced")
            return replace(self, recent=recent, score=score)
        if self.severity == "tightened":
            rejections = self.tightened_rejections + (not accepted)
            if len(recent) == WINDOW and all(recent):
                return Switching("normal")
            return replace(self, recent=recent, tightened_rejections=rejections,
                           discontinued=rejections >= DISCONTINUE_AFTER)
        if not accepted or not steady:
            return Switching("normal")
        return replace(self, recent=recent)

    def resume(self) -> Switching:
        """Tightened inspection again after discontinuation, once the supplier's corrective action is accepted."""
        if not self.discontinued:
            raise SamplingError("sampling inspection is not discontinued")
        return Switching("tightened")

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "recent": list(self.recent), "score": self.score,
                "tightened_rejections": self.tightened_rejections, "discontinued": self.discontinued}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Switching:
        """Rebuild a stored state, refusing one that is malformed rather than guessing."""
        try:
            state = cls(severity=data["severity"], recent=tuple(data["recent"]), score=data["score"],
                        tightened_rejections=data["tightened_rejections"], discontinued=data["discontinued"])
        except (KeyError, TypeError) as exc:
            raise SamplingError(f"not a stored switching state: {exc}") from None
        ints = (state.score, state.tightened_rejections)
        if (state.severity not in SEVERITIES or len(state.recent) > WINDOW
                or not all(type(x) is bool for x in (*state.recent, state.discontinued))
                or not all(type(x) is int and x >= 0 for x in ints)):
            raise SamplingError("not a stored switching state: a field is out of range")
        return state


def _next_score(score: int, defects: int, plan: Plan, accepted: bool) -> int:
    """Clause 9.3.3.2 for single sampling. The tighter plan is the normal table's next AQL to the left in the row
    of the plan used, which holds a plan of the same sample size whenever Ac is 2 or more."""
    if not accepted:
        return 0
    if plan.ac < 2:
        return score + 2
    assert plan.plan_letter is not None and plan.aql is not None
    _, _, tighter_ac = table_plan(plan.plan_letter, AQLS[aql_index(plan.aql) - 1], "normal")
    return score + 3 if defects <= tighter_ac else 0
