"""Sessions and captures: record a live session's traffic to an `.amirec` file
(`live.LiveRecording`) and play a recording or a raw capture back as a session the console
can open (`replay.ReplaySession`).

The layer above store/ (it reads and writes the recording format kept there) and below ui/
and the commands. Headless: no Textual here.
"""
