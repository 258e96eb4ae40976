"""Who is acting, and the run history (``audit.run_log``).

The actor is ``CLO_XL_ACTOR`` or the operating-system user; it is put in the transaction-local setting
``clo.actor`` so the change-log trigger records a person, not only the shared database role.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, text

from clo_xl.persistence.models import RunLogRow
from clo_xl.provenance import code_version


def current_actor() -> str:
    """``CLO_XL_ACTOR`` if set, else the login name of this process."""
    explicit = os.environ.get("CLO_XL_ACTOR")
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"uid{os.getuid()}"


def set_actor(conn: Connection, actor: str | None = None) -> str:
    """Name the actor of the current transaction for the change-log trigger; returns it."""
    who = actor or current_actor()
    conn.execute(text("SELECT set_config('clo.actor', :a, true)"), {"a": who})
    return who


def tables_changed(conn: Connection) -> set[str]:
    """The tables (``schema.table``) whose rows the current transaction inserted, updated or deleted, as its
    change log says (the ``audit_change`` trigger of every ``clo`` table writes one row per row changed)."""
    found = conn.execute(
        text("SELECT DISTINCT table_name FROM audit.change_log WHERE transaction_id = txid_current()")
    ).scalars()
    return {str(name) for name in found}


def _json_default(obj: object) -> Any:
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def inputs_hash(payload: Any) -> str:
    """SHA-256 of a JSON-serialisable payload (sorted keys; dates as ISO text)."""
    data = json.dumps(payload, sort_keys=True, default=_json_default, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def jsonable(payload: Any) -> Any:
    """``payload`` turned into plain JSON types (dates → ISO text, NaN kept out by the caller)."""
    return json.loads(json.dumps(payload, default=_json_default))


def record_run(
    conn: Connection,
    *,
    kind: str,
    status: str,
    started_at: datetime,
    finished_at: datetime | None = None,
    deal: str | None = None,
    inputs_digest: str | None = None,
    convention: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    outputs: Any = None,
    actor: str | None = None,
) -> int:
    """Append a run to ``audit.run_log`` (compliance, cash flows, migrate, backup, restore, save).

    ``started_at`` is when the run began (take it before the work, ``datetime.now(UTC)``); ``finished_at``
    defaults to the database clock now. The row also keeps the transaction id, which ties it to the
    ``audit.change_log`` rows the same transaction wrote."""
    values: dict[str, Any] = {
        "actor": actor or current_actor(),
        "kind": kind,
        "deal": deal,
        "inputs_hash": inputs_digest,
        "code_version": code_version(),
        "convention": convention,
        "status": status,
        "parameters": jsonable(dict(parameters or {})),
        "outputs": jsonable(outputs),
        "started_at": started_at,
        "finished_at": finished_at if finished_at is not None else text("clock_timestamp()"),
    }
    run_id = conn.execute(insert(RunLogRow).values(**values).returning(RunLogRow.run_id)).scalar_one()
    return int(run_id)


def log_run(
    url: str,
    *,
    kind: str,
    status: str = "ok",
    deal: str | None = None,
    inputs: Any = None,
    convention: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    outputs: Any = None,
    started_at: datetime,
) -> int:
    """Record a compliance, cash-flow or other run in ``audit.run_log`` in its own transaction; ``inputs``
    (any JSON-serialisable description of what the run read) is stored as its SHA-256. Returns the run id."""
    from clo_xl.persistence.engine import engine
    from clo_xl.persistence.failures import database_errors

    with database_errors(f"recording the {kind} run"), engine(url).begin() as conn:
        return record_run(
            conn,
            kind=kind,
            status=status,
            started_at=started_at,
            deal=deal,
            inputs_digest=None if inputs is None else inputs_hash(inputs),
            convention=convention,
            parameters=parameters,
            outputs=outputs,
        )
