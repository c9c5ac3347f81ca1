package store

// Store keeps items in memory.
type Store struct {  // {{EXPECT}}
	items map[string]Item
	cap   int
}

// New returns an empty store holding at most capacity items.
func New(capacity int) *Store {  // {{EXPECT}}
	return &Store{items: map[string]Item{}, cap: capacity}
}

func (s *Store) Put(id string, item Item) error {
	if len(s.items) >= s.cap {
		return ErrFull
	}
	s.items[id] = item
	return nil
}
