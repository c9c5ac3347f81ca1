"""Request lifecycle: continuation reuse, debounce, cancellation and hedging."""
