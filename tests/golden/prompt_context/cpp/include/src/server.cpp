#include <iostream>
#include "lru_cache.hpp"

int serve(std::size_t capacity, const std::string& key, const std::string& value) {
    std::cout << "serving " << key << std::endl;
    // {{CURSOR}}
    return 0;
}
