// ANCHOR: main
fn main() {
    // ANCHOR: body
    println!("Hello");
    // ANCHOR_END: body
}
// ANCHOR_END: main
