// Golden file for the java queries: markers in tests/golden/annotated.py
package com.example.store;

import java.util.List; // {{IMPORT java.util}}
import java.util.concurrent.*; // {{IMPORT java.util.concurrent}}
import static java.lang.Math.max; // {{IMPORT java.lang.Math}}

// {{TEST method of an annotated generic class}}
@Entity // {{CONTEXT}} {{DEF class Store}} an annotated declaration starts at its annotations
public class Store<T extends Item> extends Base implements Repository<T> { // {{REF type Base}} {{REF type Repository}}
    public static final int MAX_ITEMS = 10; // {{DEF field MAX_ITEMS}}
    private final List<T> items = new ArrayList<>(), spare; // {{DEF field items}} {{DEF field spare}} {{REF call ArrayList}}

    public Store(String name) { // {{DEF method Store}}
        super(name);
    }

    @Override // {{CONTEXT}} {{DEF method find}}
    public T find(int id) {
        // {{CURSOR}}
        return items.stream().filter(item -> item.id() == id).findFirst().orElse(null); // {{REF call filter}}
    }

    abstract void close(); // {{DEF method close}}
}

// {{TEST lambda in a default method}}
interface Repository<T> { // {{CONTEXT}} {{DEF interface Repository}}
    int VERSION = 2; // {{DEF constant VERSION}}

    T find(int id); // {{DEF method find}}

    default void each(Consumer<T> action) { // {{CONTEXT}} {{DEF method each}} {{REF type Consumer}}
        Runnable run = () -> { // {{CONTEXT}}
            action.accept(find(max(0, VERSION))); // {{CURSOR}} {{REF call accept}} {{REF call max}}
        };
    }
}

// {{TEST enum constant body}}
enum Kind { // {{CONTEXT}} {{DEF enum Kind}}
    EMPTY, // {{DEF constant EMPTY}}
    FULL; // {{DEF constant FULL}}

    boolean isEmpty() { // {{CONTEXT}} {{DEF method isEmpty}}
        return this == EMPTY; // {{CURSOR}}
    }
}

// {{TEST record and anonymous class}}
record Point(int x, int y) { // {{CONTEXT}} {{DEF class Point}}
    Runnable printer() { // {{CONTEXT}} {{DEF method printer}}
        return new Runnable() { // {{CONTEXT}} {{REF call Runnable}}
            public void run() { // {{CONTEXT}} {{DEF method run}}
                System.out.println(x); // {{CURSOR}} {{REF call println}}
            }
        };
    }
}
