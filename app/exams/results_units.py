"""单位汇总 of an exam's results: per unit of the audience in the viewer's reach (tree order), its
people with their subtrees, how many sat, passed, the pass rate and mean score (`results.figures`).

The same statements as the 成绩 page whatever the number of units or people: the rows are gathered
once and each is added to its unit and that unit's ancestors among the listed units.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.exams.access import Viewer
from app.exams.results import Figures, audience_units, figures, gather, reach
from app.org.labels import unit_labels
from app.trees import ancestor_ids


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    label: str
    depth: int  # below the first unit listed
    figures: Figures


def unit_summary(viewer: Viewer, exam_id: int) -> dict:
    """The exam, whether the viewer sees its whole audience, a row per unit and the figures of all."""
    exam, people = reach(viewer, exam_id)
    rows = gather(exam, people)
    found = audience_units(rows, people)
    units = found.listed
    groups: dict[int, list] = {unit.id: [] for unit in units}
    for row in rows:
        for unit_id in ancestor_ids(row.unit_path):
            if unit_id in groups:
                groups[unit_id].append(row)
    labels = unit_labels(viewer.watch, found.every)
    top = min((unit.depth for unit in units), default=0)
    return {"exam": exam, "whole": people is None, "total": figures(rows),
            "units": [UnitRow(unit.id, labels[unit.id], unit.depth - top, figures(groups[unit.id])) for unit in units]}
