// Golden file for the rust queries: markers in tests/golden/annotated.py

use std::collections::HashMap; // {{IMPORT std::collections}}
use std::io::{self, Read as _, Write}; // {{IMPORT std::io}}
use crate::model::*; // {{IMPORT crate::model}}
use serde; // {{IMPORT serde}}
extern crate alloc; // {{IMPORT alloc}}

pub const MAX_ITEMS: usize = 10; // {{DEF constant MAX_ITEMS}}
static mut COUNTER: u32 = 0; // {{DEF variable COUNTER}}
type Id = u64; // {{DEF type Id}}

macro_rules! log { // {{DEF macro log}}
    ($($t:tt)*) => {};
}

// {{TEST struct fields}}
#[derive(Debug, Default)]
pub struct Store<T> { // {{CONTEXT}} {{DEF class Store}}
    items: HashMap<Id, T>, // {{CURSOR}} {{DEF field items}} {{REF type HashMap}}
    pub name: String, // {{DEF field name}}
}

pub enum Kind { // {{DEF enum Kind}}
    Empty,
    Full(usize),
}

// {{TEST trait method with a default body}}
pub trait Repository { // {{CONTEXT}} {{DEF interface Repository}}
    type Item; // {{DEF type Item}}
    fn get(&self, id: Id) -> Option<&Self::Item>; // {{DEF method get}}
    fn name(&self) -> &str { // {{CONTEXT}} {{DEF method name}}
        "repository" // {{CURSOR}}
    }
}

// {{TEST closure in an impl method}}
impl<T: Clone> Repository for Store<T> { // {{CONTEXT}} {{REF type Store}}
    type Item = T; // {{DEF type Item}}

    fn get(&self, id: Id) -> Option<&T> { // {{CONTEXT}} {{DEF method get}}
        let find = |key: &Id| { // {{CONTEXT}}
            self.items.get(key) // {{CURSOR}} {{REF call get}}
        };
        log!("get {}", id); // {{REF call log}}
        find(&id) // {{REF call find}}
    }
}

// {{TEST module and nested function}}
mod tests { // {{CONTEXT}} {{DEF module tests}}
    fn check() { // {{CONTEXT}} {{DEF function check}}
        fn helper() -> Kind { // {{CONTEXT}} {{DEF function helper}}
            Kind::Full(1) // {{CURSOR}}
        }
        let kind = helper(); // {{REF call helper}}
        assert!(matches!(kind, Kind::Full(_))); // {{REF call assert}} (a macro's arguments are token trees)
    }
}
