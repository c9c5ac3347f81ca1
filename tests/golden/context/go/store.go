// Golden file for the go queries: markers in tests/golden/annotated.py
package store

import "fmt" // {{IMPORT fmt}}

import ( // {{IMPORT os}} {{IMPORT strings}} {{IMPORT math}} {{IMPORT embed}} {{IMPORT example.com/x/sync}}
	"os"
	str "strings"
	. "math"
	_ "embed"
	"example.com/x/sync"
)

const MaxItems = 10 // {{DEF constant MaxItems}}

var ( // the statement starts here, the specs below are the definitions
	counter int     // {{DEF variable counter}}
	x, y    = 1, 2  // {{DEF variable x}} {{DEF variable y}}
)

// {{TEST struct fields}}
type Store struct { // {{CONTEXT}} {{DEF class Store}}
	name  string           // {{DEF field name}}
	items map[string]*Item // {{CURSOR}} {{DEF field items}} {{REF type Item}}
	sync.Mutex
}

// {{TEST interface methods}}
type Reader interface { // {{CONTEXT}} {{DEF interface Reader}}
	Read(p []byte) (int, error) // {{DEF method Read}} {{CURSOR}}
}

type ID = int                // {{DEF type ID}}
type Handler func(int) error // {{DEF type Handler}}

// {{TEST function}}
func New(name string) *Store { // {{CONTEXT}} {{DEF function New}}
	return &Store{name: name} // {{CURSOR}}
}

// {{TEST closure in a method}}
func (s *Store) Get(key string) (*Item, error) { // {{CONTEXT}} {{DEF method Get}}
	load := func(k string) *Item { // {{CONTEXT}}
		fmt.Println(str.ToUpper(k), Pi, os.Args) // {{CURSOR}} {{REF call Println}} {{REF call ToUpper}}
		return s.items[k]
	}
	return load(key), nil // {{REF call load}}
}
