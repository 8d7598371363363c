//! libFuzzer target: the `workflow!` macro's parser, model, validator and expansion on
//! arbitrary input. `fuzz/run.sh SECONDS` builds and runs it (README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| workflow_fuzz::check(data));
