//! The `vanban` command line. (stub)
fn main() {}
