class User:  # {{ABSENT}}
    def __init__(self, login):
        self.login = login
