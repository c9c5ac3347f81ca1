"""User registry."""

from ..models import User
from .config import load_config


class Service:
    def __init__(self, path):
        self.config = load_config(path)
        self.users = {}

    def count(self):
        return len(self.users)

    def add(self, name, email):
        uid = len(self.users) + 1
        # {{CURSOR}}
        return uid
