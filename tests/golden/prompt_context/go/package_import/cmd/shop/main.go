package main

import (
	"fmt"

	"example.com/shop/internal/store"
)

func run(cfg Config, id string) error {
	fmt.Println("starting", cfg.Name)
	var s *store.Store
	// {{CURSOR}}
	return nil
}
