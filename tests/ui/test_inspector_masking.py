"""The inspector masks by the same role rule as every other output (frames.redact): an AstDB
Key is shown in DBGetResponse, a PJSIPShowAuths Password is masked."""

from __future__ import annotations

from amitui.protocol import REDACTED
from amitui.ui.widgets.inspector_tables import frame_rows, list_cells
from tests.protocol.test_masking import AUTH_DETAIL, DBGET_EVENT, SECRET, one


def test_header_rows_mask_by_role() -> None:
    db = {row.key: row for row in frame_rows(one(DBGET_EVENT))}
    assert db["Key"].value == "4930123456" and not db["Key"].masked
    auth = {row.key: row for row in frame_rows(one(AUTH_DETAIL))}
    assert auth["Password"].value == REDACTED and auth["Password"].masked
    assert auth["Username"].value == "1001" and not auth["Username"].masked


def test_list_cells_mask_by_role() -> None:
    assert list_cells(one(DBGET_EVENT), ["Family", "Key", "Val"]) == [
        "cidname",
        "4930123456",
        "Alice",
    ]
    cells = list_cells(one(AUTH_DETAIL), ["ObjectName", "Password", "Md5Cred"])
    assert cells == ["1001", REDACTED, REDACTED] and SECRET not in "".join(cells)
