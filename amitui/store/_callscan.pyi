# The C half of amitui.store.callheaders.scan (see _callscan.c).
from collections.abc import Callable

def scan(
    headers: tuple[tuple[str, str], ...],
    kinds: dict[str, tuple[int, str]],
    classify: Callable[[str], tuple[int, str]],
    /,
) -> tuple[
    list[str], list[str], dict[str, str], dict[str, str], list[tuple[str, str, str]], str | None
]: ...
