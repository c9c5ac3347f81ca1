pub const MAX_ITEMS: usize = 1024;  // {{EXPECT}}
pub const MAX_PRICE: u32 = 1_000_000;
