//! Runs every file of the given corpus directories (or single files) through the fuzz
//! target's checks, without libFuzzer: `cargo run --no-default-features --bin replay --
//! corpus/parser`. A crash found once stays fixed.

fn main() {
    let mut inputs = 0_usize;
    for arg in std::env::args().skip(1) {
        let path = std::path::PathBuf::from(&arg);
        let files: Vec<std::path::PathBuf> = if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .unwrap_or_else(|e| panic!("{arg}: {e}"))
                .map(|entry| entry.expect("a directory entry").path())
                .collect();
            files.sort();
            files
        } else {
            vec![path]
        };
        for file in files {
            let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            workflow_fuzz::check(&data);
            inputs += 1;
        }
    }
    assert!(
        inputs > 0,
        "no input replayed: pass corpus directories or files"
    );
    println!("replayed {inputs} inputs: 0 crashes");
}
