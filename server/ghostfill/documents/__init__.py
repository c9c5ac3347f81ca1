"""Open documents, their text and their incrementally maintained syntax trees."""
