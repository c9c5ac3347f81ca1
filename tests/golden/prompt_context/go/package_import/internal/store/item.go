package store

import "errors"

var ErrFull = errors.New("store is full")

type Item struct {
	Name  string
	Price int
}
