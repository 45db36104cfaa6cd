"""Frames as JSON-ready dicts, for `--json` (NDJSON) output and exports.

Keys keep wire order; a repeated key becomes a list of its values in order; Command output is
always an `Output` list, whatever the server version. Secrets are masked. Keys that cannot come
from AMI start with an underscore: `_lines` (lines without a colon), `_malformed` (why),
`_raw` (the bytes of a malformed packet, as text).
"""

from __future__ import annotations

from typing import Any

from amitui.protocol.frames import Frame, FrameKind, redact


def frame_to_json(frame: Frame) -> dict[str, Any]:
    if frame.kind is FrameKind.BANNER:
        return {"Banner": frame.text, "AMIVersion": frame.version}
    if frame.kind is FrameKind.MALFORMED:
        return {"_malformed": frame.error, "_raw": frame.raw.decode("utf-8", "replace")}
    out: dict[str, Any] = {}
    for key, value in redact(frame.headers):
        if key in out:
            prior = out[key]
            if isinstance(prior, list):
                prior.append(value)
            else:
                out[key] = [prior, value]
        else:
            out[key] = value
    if frame.output is not None:
        # Modern Output headers and the legacy Follows body alike: always a list, in place.
        for key in [k for k in out if k.lower() == "output"]:
            out[key] = list(frame.output)
            break
        else:
            out["Output"] = list(frame.output)
    if frame.loose:
        out["_lines"] = list(frame.loose)
    return out
