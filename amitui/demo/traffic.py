"""The demo PBX's background life: calls between phones, phone noise, queue callers and
voicemail owners reading their messages. Kept apart from dialplan.py and queues.py so that
the scripts, the queues and the PBX they drive import one way only: pbx.py starts this
module's `start_background`, and this module imports the scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.demo import voicemail
from amitui.demo.dialplan import call_arrivals, phone_noise
from amitui.demo.queues import start_queue_traffic

if TYPE_CHECKING:
    from amitui.demo.pbx import DemoPbx


def start_background(pbx: DemoPbx) -> None:
    pbx.sched.spawn(call_arrivals(pbx), "call arrivals", 0.2)
    pbx.sched.spawn(phone_noise(pbx), "phone noise", 3.0)
    start_queue_traffic(pbx)
    pbx.sched.spawn(voicemail.owners_read(pbx), "voicemail owners", 10.0)
