#include <stdio.h>
#include "ring.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 1;
    }
    // {{CURSOR}}
    return 0;
}
