mod store;

use crate::store::Store;
use crate::store::limits;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("{} arguments", args.len());
    // {{CURSOR}}
}
