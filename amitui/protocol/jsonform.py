"""Frames as JSON-ready dicts, for `--json` (NDJSON) output and exports.

Keys keep wire order; a repeated key becomes a list of its values in order; Command output is
always one `Output` list, whatever the server version or spelling. Secrets are masked (by role,
see `frames.redact`), a malformed packet's text too. Keys that cannot come from AMI start with an
underscore: `_lines` (lines without a colon), `_malformed` (why), `_raw` (the bytes of a
malformed packet, as text). Print or write the result with `safetext.json_line()`.
"""

from __future__ import annotations

from typing import Any

from amitui.protocol.frames import Frame, FrameKind, mask_secret_lines, redact


def frame_to_json(frame: Frame) -> dict[str, Any]:
    if frame.kind is FrameKind.BANNER:
        return {"Banner": frame.text, "AMIVersion": frame.version}
    if frame.kind is FrameKind.MALFORMED:
        raw = mask_secret_lines(frame.raw.decode("utf-8", "replace"))
        return {"_malformed": frame.error, "_raw": raw}
    out: dict[str, Any] = {}
    output = frame.output
    for key, value in redact(frame.headers):
        if output is not None and key.lower() == "output":
            # Modern Output headers, however spelled (frame.output holds every one of them,
            # as a case-insensitive lookup would): one `Output` list where the first was.
            if "Output" not in out:
                out["Output"] = list(output)
            continue
        if key in out:
            prior = out[key]
            if isinstance(prior, list):
                prior.append(value)
            else:
                out[key] = [prior, value]
        else:
            out[key] = value
    if output is not None and "Output" not in out:
        out["Output"] = list(output)  # the legacy Follows body: the same list, at the end
    if frame.loose:
        out["_lines"] = list(frame.loose)
    return out
