UNITS = {"k": 1_000, "m": 1_000_000}


def slugify(text: str) -> str:
    return "-".join(text.lower().split())


def parse_size(text: str) -> int:  # {{EXPECT}}
    """'3k' -> 3000."""
    number, unit = text[:-1], text[-1:]
    if unit in UNITS:
        return int(number) * UNITS[unit]
    return int(text)
