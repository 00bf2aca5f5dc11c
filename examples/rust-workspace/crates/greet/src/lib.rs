//! Shared by both binaries: the workspace builds a library once.
pub fn greeting(who: &str) -> String {
    format!("hello from a rust workspace, {who}\n")
}
