import os


def load_config(path: str, *, strict: bool = False) -> dict[str, str]:  # {{EXPECT}}
    values = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    if strict and not values:
        raise ValueError(path)
    return values
