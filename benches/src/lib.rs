//! Benchmarks of dealer-portal: `cargo bench -p dealer-portal-benches`, or `benches/run.sh`
//! for every figure with its peer, written to `benches/RESULTS.md`.
