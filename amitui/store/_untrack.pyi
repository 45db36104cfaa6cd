# The C half of amitui.store.untrack (see _untrack.c).
from typing import Any

def untrack(objects: list[Any], /) -> None: ...
