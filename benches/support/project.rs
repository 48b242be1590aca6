//! A scratch copy of the customer-success example, for the benchmarks that run `play`.

use std::path::Path;

/// The example project copied into a scratch folder.
pub fn example_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch folder");
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customer-success"), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
