#pragma once
#include <list>
#include <string>
#include <unordered_map>

template <typename V>
class LruCache {  // {{EXPECT}}
public:
    explicit LruCache(std::size_t capacity) : capacity_(capacity) {}
    void put(const std::string& key, V value);
    const V* get(const std::string& key);
private:
    std::size_t capacity_;
    std::list<std::string> order_;
    std::unordered_map<std::string, V> items_;
};
