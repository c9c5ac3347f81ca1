// Golden file for the cpp queries: markers in tests/golden/annotated.py

#include <vector> // {{IMPORT <vector>}}
#include "store.hpp" // {{IMPORT store.hpp}}

using namespace std; // {{IMPORT std}}
using std::string; // {{IMPORT std}}

#define CHECK(x) assert(x) // {{DEF macro CHECK}}

int add(int a, int b); // {{DEF function add}}

// {{TEST method body in a template class in a namespace}}
namespace app::core { // {{CONTEXT}} {{DEF module app::core}}

int instances = 0; // {{DEF variable instances}}
using Id = unsigned long; // {{DEF type Id}}

template <typename T>
class Store : public Base<T> { // {{CONTEXT}} {{DEF class Store}} {{REF type Base}}
public:
    Store(int capacity); // {{DEF method Store}}
    ~Store() {} // {{DEF method ~Store}}
    void put(T item); // {{DEF method put}}
    bool operator==(const Store &other) const; // {{DEF method operator==}}
    static constexpr int kMax = 10; // {{DEF field kMax}}

    T &get(Id id) { // {{CONTEXT}} {{DEF method get}} {{REF type Id}}
        // {{CURSOR}}
        return items_.at(id); // {{REF call at}}
    }

private:
    std::vector<T> items_; // {{DEF field items_}}
};

}  // namespace app::core

// {{TEST lambda in an out-of-class method definition}}
template <typename T>
void app::core::Store<T>::put(T item) { // {{CONTEXT}} {{DEF method put}}
    auto check = [&](const T &value) { // {{CONTEXT}}
        CHECK(value.valid()); // {{CURSOR}} {{REF call valid}}
        return std::max(app::core::instances, 1); // {{REF call max}}
    };
    items_.push_back(item); // {{REF call push_back}}
}

static app::core::Store<int> *make_store() { // {{DEF function make_store}}
    return new app::core::Store<int>(add(1, 2)); // {{REF call Store}} {{REF call add}}
}

// {{TEST struct and enum}}
struct Point { // {{CONTEXT}} {{DEF class Point}}
    double x, y; // {{DEF field x}} {{DEF field y}} {{CURSOR}}
};

enum class Kind { Empty, Full }; // {{DEF enum Kind}} {{DEF constant Empty}} {{DEF constant Full}}
