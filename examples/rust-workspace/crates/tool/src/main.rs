//! A second binary: shipped in the image too, started only when asked.
fn main() {
    print!("{}", greet::greeting("tool"));
}
