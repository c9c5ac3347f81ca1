#ifndef RING_H
#define RING_H

#include <stddef.h>

#define RING_DEFAULT_SIZE 64  /* {{EXPECT}} */

struct ring {
    unsigned char *data;
    size_t head, tail, size;
};

struct ring *ring_new(size_t size);  /* {{EXPECT}} */
int ring_push(struct ring *r, unsigned char byte);

#endif
