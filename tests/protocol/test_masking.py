"""Credentials are masked by role, in one place (`frames.redact` / `mask_secret_lines`), and
every output follows it: `--json`, history, saved history, recordings, copies, the catalog.

What the client sends to log in (Login's Secret and Key) and what the server sends that really is
a credential (a GetConfig `secret=` line, GetConfigJSON's "secret", PJSIPShowAuths' Password and
Md5Cred) are masked everywhere. An AstDB `Key` (DBGet, DBGetResponse) is data and is shown: it
used to be masked too, hiding the very key that was asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

from amitui.protocol import REDACTED, Action, Frame, Parser, frame_to_json, redact
from amitui.protocol.frames import is_credential, mask_secret_lines
from amitui.store.catalog import EventCatalog
from amitui.store.formats import action_as_command_line, frame_as_ami, frame_as_json
from amitui.store.history import ActionHistory
from amitui.store.recording import RecordingWriter, open_recording
from amitui.store.saved import HistoryFile

SECRET = "s3cr3t-do-not-leak"
MD5 = "0123456789abcdef0123456789abcdef"


def one(text: str) -> Frame:
    parser = Parser(expect_banner=False)
    parser.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    (frame,) = parser.frames()
    return frame


DBGET_EVENT = "Event: DBGetResponse\nFamily: cidname\nKey: 4930123456\nVal: Alice\nActionID: d1"
DBTREE_EVENT = "Event: DBGetTreeResponse\nKey: /cidname/4930123456\nVal: Alice\nActionID: d2"
AUTH_DETAIL = (
    f"Event: AuthDetail\nObjectType: auth\nObjectName: 1001\nUsername: 1001\nPassword: {SECRET}"
    f"\nMd5Cred: {MD5}\nPasswordDigest: {SECRET}x\nOauthSecret: {SECRET}y\nRefreshToken: "
    f"{SECRET}z\nAuthType: userpass\nEndpointName: 1001\nActionID: a1"
)
AUTH_LIST = f"Event: AuthList\nObjectType: auth\nObjectName: 1001\nPassword: {SECRET}\nMd5Cred: "
GETCONFIG = (
    "Response: Success\nActionID: g1\nCategory-000000: admin\n"
    f"Line-000000-000000: secret={SECRET}\nLine-000000-000001: read=all\n"
    f"Line-000000-000002: md5_cred={MD5}\nLine-000000-000003: auth_type=userpass"
)
GETCONFIGJSON = (
    'Response: Success\nActionID: g2\nJSON: {"admin":{"secret":"' + SECRET + '","read":"all"},'
    '"1001":{"password":"' + SECRET + '","username":"1001"}}'
)


def test_dbget_response_shows_the_key_it_answers() -> None:
    for text, key in ((DBGET_EVENT, "4930123456"), (DBTREE_EVENT, "/cidname/4930123456")):
        frame = one(text)
        assert dict(redact(frame.headers))["Key"] == key
        assert frame_to_json(frame)["Key"] == key
        assert f"Key: {key}" in frame_as_ami(frame)
        assert f"Key: {key}" in mask_secret_lines(text)


def test_db_actions_show_their_key_in_history_and_copies() -> None:
    action = Action.of("DBGet", Family="cidname", Key="4930123456")
    assert "Key: 4930123456" in action.redacted_text()
    assert "Key=4930123456" in action_as_command_line(action)
    record = ActionHistory().add("h1", "DBGet", action.headers, 1.0)  # no Action header
    assert dict(record.headers)["Key"] == "4930123456"


def test_login_secret_and_key_are_masked_everywhere(tmp_path: Path) -> None:
    plain = Action.of("Login", Username="admin", Secret=SECRET)
    md5 = Action.of("Login", AuthType="MD5", Username="admin", Key=MD5)
    history = ActionHistory()
    for action in (plain, md5):
        texts = [action.redacted_text(), action_as_command_line(action)]
        record = history.add(action.name + str(len(history)), action.name, action.headers, 1.0)
        texts.append(json.dumps(record.headers))
        texts.append(mask_secret_lines(action.redacted_text().replace(REDACTED, SECRET + MD5)))
        for text in texts:
            assert SECRET not in text and MD5 not in text, text
            assert REDACTED in text
    saved = HistoryFile("p", base=tmp_path)
    saved.append(record, "pbx:5038")
    assert MD5 not in saved.path.read_text() and REDACTED in saved.path.read_text()


def test_getconfig_credential_lines_are_masked_and_others_kept() -> None:
    frame = one(GETCONFIG)
    masked = dict(redact(frame.headers))
    assert masked["Line-000000-000000"] == f"secret={REDACTED}"
    assert masked["Line-000000-000002"] == f"md5_cred={REDACTED}"
    assert masked["Line-000000-000001"] == "read=all"
    assert masked["Line-000000-000003"] == "auth_type=userpass"
    for text in (
        json.dumps(frame_to_json(frame)),
        frame_as_ami(frame),
        mask_secret_lines(GETCONFIG),
    ):
        assert SECRET not in text and MD5 not in text
        assert f"secret={REDACTED}" in text and "read=all" in text


def test_getconfigjson_credentials_are_masked_inside_the_json() -> None:
    frame = one(GETCONFIGJSON)
    value = json.loads(frame_to_json(frame)["JSON"])
    assert value == {
        "admin": {"secret": REDACTED, "read": "all"},
        "1001": {"password": REDACTED, "username": "1001"},
    }
    assert SECRET not in mask_secret_lines(GETCONFIGJSON)


def test_pjsip_show_auths_password_and_md5cred_are_masked() -> None:
    for text in (AUTH_DETAIL, AUTH_LIST):
        frame = one(text)
        out = frame_to_json(frame)
        assert out["Password"] == REDACTED and out["Md5Cred"] == REDACTED
        assert out["ObjectName"] == "1001"
        for rendered in (frame_as_json(frame), frame_as_ami(frame), mask_secret_lines(text)):
            assert SECRET not in rendered and MD5 not in rendered
    catalog = EventCatalog()
    catalog.observe_batch([one(AUTH_DETAIL), one(DBGET_EVENT)], 1.0)
    detail, db = catalog.get("AuthDetail"), catalog.get("DBGetResponse")
    assert detail is not None and db is not None
    assert detail.headers["Password"].samples == [REDACTED]
    assert db.headers["Key"].samples == ["4930123456"]  # data in the catalog too


def test_updateconfig_value_of_a_credential_var_is_masked() -> None:
    action = Action.of(
        "UpdateConfig",
        [("SrcFilename", "pjsip.conf"), ("Action-000000", "update"), ("Cat-000000", "1001"),
         ("Var-000000", "password"), ("Value-000000", SECRET), ("Var-000001", "username"),
         ("Value-000001", "1001")],
    )  # fmt: skip
    text = action.redacted_text()
    assert SECRET not in text and "Value-000001: 1001" in text
    assert f"Value-000000: {REDACTED}" in text


def test_unknown_places_keep_key_masked_the_safe_side() -> None:
    assert is_credential("Key", "UserEvent") and is_credential("Key", "")
    assert not is_credential("Key", "DBGetResponse") and not is_credential("key", "dbput")
    assert is_credential("Secret", "DBGetResponse")  # a Secret is a credential anywhere


def test_recording_text_follows_the_same_roles(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write("out", f"Action: Login\nUsername: admin\nAuthType: MD5\nKey: {MD5}")
        w.write("out", "Action: DBGet\nFamily: cidname\nKey: 4930123456")
        w.write("in", (DBGET_EVENT.replace("\n", "\r\n") + "\r\n\r\n").encode())
        w.write("in", (AUTH_DETAIL.replace("\n", "\r\n") + "\r\n\r\n").encode())
        w.write("in", (GETCONFIG.replace("\n", "\r\n") + "\r\n\r\n").encode())
    data = path.read_text()
    assert SECRET not in data and MD5 not in data
    with open_recording(path) as reader:
        raws = [p.raw.decode() for p in reader]
    assert f"Key: {REDACTED}" in raws[0]
    assert "Key: 4930123456" in raws[1] and "Key: 4930123456" in raws[2]
    assert f"Password: {REDACTED}" in raws[3] and f"secret={REDACTED}" in raws[4]


def test_text_masking_keeps_every_other_byte() -> None:
    text = "Event: AuthDetail\r\nPassword:x\r\nUsername: u \r\n\r\nEvent: Other\r\nKeyX: y\r\n"
    want = "Event: AuthDetail\r\nPassword: ********\r\nUsername: u \r\n\r\nEvent: Other\r\n"
    assert mask_secret_lines(text) == want + "KeyX: y\r\n"
    # A stray CR inside the value cannot leave part of the secret behind.
    assert mask_secret_lines("Secret: ab\rcd\r\n") == f"Secret: {REDACTED}\r\n"
