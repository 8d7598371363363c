//! This package keeps its test files at the top of `tests/` (their paths did not change
//! when it became a package of its own), so cargo does not discover them: each is a
//! `[[test]]` in `tests/Cargo.toml`. A file without its entry would never run; this
//! test fails instead.

use std::path::Path;

#[test]
fn every_test_file_is_a_target_of_the_package() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("tests/Cargo.toml");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir).expect("tests/ is readable") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".rs") && !manifest.contains(&format!("path = \"{name}\"")) {
            missing.push(name.into_owned());
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "add a `[[test]]` to tests/Cargo.toml for each of {missing:?}"
    );
}
