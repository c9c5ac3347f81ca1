"""Turn a gathered context into a prompt: FIM templates and chat hole-filling, all as data."""
