pub mod limits;

use std::collections::HashMap;

pub struct Store {  // {{EXPECT}}
    items: HashMap<String, u32>,
    capacity: usize,
}

impl Store {
    pub fn with_capacity(capacity: usize) -> Self {  // {{EXPECT}}
        Store { items: HashMap::new(), capacity }
    }

    pub fn put(&mut self, key: &str, price: u32) -> bool {
        if self.items.len() >= self.capacity {
            return false;
        }
        self.items.insert(key.to_string(), price);
        true
    }
}
