fn main() {
    println!("priority-sync {}", env!("CARGO_PKG_VERSION"));
}
