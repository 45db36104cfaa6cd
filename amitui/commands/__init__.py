"""The command line: `amitui` (cli.py), the scripting commands `action`, `events` and `replay
--json` (scripting.py) and `record` (recorder.py). The top layer: it opens the console
(amitui/ui/launch.py) or runs a headless command, and nothing in amitui imports it.
"""
