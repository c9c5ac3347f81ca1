/* Golden file for the c queries: markers in tests/golden/annotated.py */

#include <stdio.h> // {{IMPORT <stdio.h>}}
#include "store.h" // {{IMPORT store.h}}

#define MAX_ITEMS 10 // {{DEF macro MAX_ITEMS}}
#define SQUARE(x) ((x) * (x)) // {{DEF macro SQUARE}}

typedef unsigned long id_t; // {{DEF type id_t}}
static int counter = 0, spare; // {{DEF variable counter}} {{DEF variable spare}}
const char *names[MAX_ITEMS]; // {{DEF variable names}}
int add(int a, int b); // {{DEF function add}}

// {{TEST struct fields}}
typedef struct Store { // {{CONTEXT}} {{DEF class Store}} {{DEF type Store}}
    int size; // {{DEF field size}}
    char *name; // {{CURSOR}} {{DEF field name}}
} Store;

enum Kind { EMPTY, FULL }; // {{DEF enum Kind}} {{DEF constant EMPTY}} {{DEF constant FULL}}

// {{TEST function with the return type on its own line}}
static const char * // {{CONTEXT}} {{DEF function name_of}}
name_of(struct Store *store)
{
    int local = SQUARE(2);
    // {{CURSOR}}
    printf("%s %d", store->name, add(local, 1)); // {{REF call printf}} {{REF call add}}
    return store->name;
}

// {{TEST enumerators}}
enum Color { // {{CONTEXT}} {{DEF enum Color}}
    RED, // {{CURSOR}} {{DEF constant RED}}
    GREEN, // {{DEF constant GREEN}}
};
