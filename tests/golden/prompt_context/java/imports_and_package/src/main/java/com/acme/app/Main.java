package com.acme.app;

import com.acme.store.Inventory;
import com.acme.store.Item;

public class Main {
    public static void main(String[] args) {
        Item item = new Item(args[0], Integer.parseInt(args[1]));
        // {{CURSOR}}
    }
}
