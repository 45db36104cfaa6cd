"""A stream row names its frame as the inspector does (`describe_frame`)."""

from __future__ import annotations

from amitui.protocol import Parser
from amitui.store.formats import describe_frame
from amitui.ui.widgets.stream import EventStream
from tests.ui.test_stream import Host, screen_text


async def test_a_response_row_is_named_as_the_inspector_names_it() -> None:
    parser = Parser(expect_banner=False)
    parser.feed(b"Response: Success\r\nActionID: x9\r\n\r\n")
    frames = list(parser.frames())
    app = Host()
    async with app.run_test(size=(100, 8)) as pilot:
        app.ring.append_batch(frames, 0.0)
        app.query_one(EventStream).sync()
        await pilot.pause()
        assert describe_frame(frames[0]) == "Response Success"
        assert "Response Success" in screen_text(app)
