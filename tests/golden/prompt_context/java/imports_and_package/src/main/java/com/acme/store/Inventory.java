package com.acme.store;

import java.util.ArrayList;
import java.util.List;

public class Inventory {  // {{EXPECT}}
    private final List<Item> items = new ArrayList<>();
    private final int capacity;

    public Inventory(int capacity) {
        this.capacity = capacity;
    }

    public boolean add(Item item) {
        if (items.size() >= capacity) {
            return false;
        }
        return items.add(item);
    }

    public int size() {
        return items.size();
    }
}
