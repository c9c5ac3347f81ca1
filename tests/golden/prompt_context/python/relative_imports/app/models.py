from dataclasses import dataclass


@dataclass
class User:  # {{EXPECT}}
    """A registered user."""

    id: int
    name: str
    email: str

    def display(self) -> str:
        return f"{self.name} <{self.email}>"


ADMINS = {1, 2}
