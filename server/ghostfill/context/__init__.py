"""What the model sees: the cursor window, enclosing scopes and ranked snippets."""
