/* Golden header for the c queries: declarations inside an include guard are still file level. */
#ifndef STORE_H
#define STORE_H // {{DEF macro STORE_H}}

#include <stddef.h> // {{IMPORT <stddef.h>}}

extern size_t store_count; // {{DEF variable store_count}} (size_t is a primitive_type in this grammar)

// {{TEST union in a header}}
typedef union Value { // {{CONTEXT}} {{DEF class Value}} {{DEF type Value}}
    long number; // {{DEF field number}} {{CURSOR}}
    const char *text; // {{DEF field text}}
} Value;

struct Store *store_new(size_t capacity); // {{DEF function store_new}} {{REF type Store}}
void store_free(struct Store *store); // {{DEF function store_free}}

#endif
