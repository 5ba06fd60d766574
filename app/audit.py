"""Write audit entries inside the caller's transaction."""

from collections.abc import Iterable

from app import clock
from app.extensions import db
from app.models import AuditEntry


def record(action: str, obj, *, actor_id: int | None, **detail) -> AuditEntry:
    """Add an audit entry for `obj` (the caller commits with its change)."""
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()  # the entry must name the new object's id
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail={k: v for k, v in detail.items() if v is not None},
    )
    db.session.add(entry)
    return entry


def record_many(action: str, object_type: str, details: Iterable[tuple[int, dict]], *, actor_id: int | None) -> None:
    """One entry per (object id, detail) of `object_type` objects, in one INSERT (a batch job's many changes;
    the ORM inserts added entries one by one, since it fetches each new id)."""
    now = clock.now()
    rows = [{"at": now, "actor_id": actor_id, "action": action, "object_type": object_type, "object_id": object_id,
             "detail": {k: v for k, v in detail.items() if v is not None}} for object_id, detail in details]
    if rows:
        db.session.execute(AuditEntry.__table__.insert(), rows)
