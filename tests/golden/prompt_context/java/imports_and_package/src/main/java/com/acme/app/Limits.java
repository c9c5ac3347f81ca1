package com.acme.app;

final class Limits {  // {{EXPECT}}
    static final int DEFAULT_CAPACITY = 100;

    private Limits() {}
}
