package com.acme.store;

public record Item(String name, int price) {}
