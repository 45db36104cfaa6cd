# The optional C version of catalog_observe.py's HeaderStatsPy and count_py (see _catalog.c).
from collections.abc import Callable

class HeaderStats:
    @property
    def name(self) -> str: ...
    @property
    def samples(self) -> list[str]: ...
    @property
    def count(self) -> int: ...
    @property
    def repeated(self) -> int: ...
    @property
    def last(self) -> int: ...
    @property
    def secret(self) -> bool: ...
    def __init__(self, name: str, secret: bool = False) -> None: ...

def count(
    stats: dict[str, HeaderStats],
    headers: tuple[tuple[str, str], ...],
    start: int,
    serial: int,
    event: str,
    rules: tuple[int, int, int, str, Callable[[str, str], HeaderStats]],
    /,
) -> int: ...
