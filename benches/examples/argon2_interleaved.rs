//! Ours (`PasswordHasher`) against the C reference (argon2-kdf), hash by hash, at the default
//! parameters (m=19456 KiB, t=2, p=1):
//! `ARGON2_KDF_C_COMPILER_FLAGS=-march=native cargo run --release -p dealer-portal-benches
//! --example argon2_interleaved [ROUNDS | quick]` (60 rounds by default, 8 with `quick`).
//!
//! Criterion measures its candidates one after another, so on a shared machine a change of load
//! between two of them moves their ratio. Here each round calls ours, C, C, ours (A,B,B,A, which
//! cancels a drift that is linear over the round) for hash, then the same for verify, and every
//! call is timed on its own. Printed: the medians with p10/p90 of all calls, the ratio of the
//! medians, and the distribution of the per-round ratios (ours' two calls ÷ C's two calls).
//!
//! Each hash draws a fresh 16-byte salt (as in the criterion bench); each verify checks the hash
//! made in the same round, by the same implementation, and must succeed. Before measuring, a
//! wrong password must fail with both and each side's PHC string must verify with the other.

use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

use dealer_portal::SecretString;
use dealer_portal::password::{HashParams, PasswordHash, PasswordHasher};

const PASSWORD: &str = "Garage XYZ, 2026 !";

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// The `q` quantile (0 to 1) of sorted values, linearly interpolated.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// `median 6.12 ms p10 5.98 p90 6.71`, from times in seconds.
fn summary_ms(times: &[f64]) -> String {
    let s = sorted(times);
    format!(
        "median {:.2} ms p10 {:.2} p90 {:.2}",
        quantile(&s, 0.5) * 1e3,
        quantile(&s, 0.1) * 1e3,
        quantile(&s, 0.9) * 1e3
    )
}

/// Per-call wall times of one operation, ours and C's, and the per-round ratios.
#[derive(Default)]
struct Op {
    ours: Vec<f64>,
    c: Vec<f64>,
    round_ratios: Vec<f64>,
}

impl Op {
    /// One round: ours, C, C, ours.
    fn round(&mut self, mut ours: impl FnMut(), mut c: impl FnMut()) {
        let time = |f: &mut dyn FnMut()| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        };
        let a1 = time(&mut ours);
        let b1 = time(&mut c);
        let b2 = time(&mut c);
        let a2 = time(&mut ours);
        self.ours.extend([a1, a2]);
        self.c.extend([b1, b2]);
        self.round_ratios.push((a1 + a2) / (b1 + b2));
    }

    fn report(&self, name: &str) {
        let median = |v: &[f64]| quantile(&sorted(v), 0.5);
        let r = sorted(&self.round_ratios);
        println!(
            "{name}: ours {} | C {} | ours/C ratio of medians {:.3} | per-round ratios median {:.3} p10 {:.3} p90 {:.3}",
            summary_ms(&self.ours),
            summary_ms(&self.c),
            median(&self.ours) / median(&self.c),
            quantile(&r, 0.5),
            quantile(&r, 0.1),
            quantile(&r, 0.9),
        );
    }
}

fn main() {
    let rounds = match std::env::args().nth(1).as_deref() {
        None => 60,
        Some("quick") => 8,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .expect("usage: argon2_interleaved [ROUNDS | quick]"),
    };
    let params = HashParams::default();
    let ours = PasswordHasher::new(params);
    let pw = SecretString::from(PASSWORD);
    // ASCII, so NFKC (which ours applies before hashing) leaves it as the C side sees it.
    let pw_bytes = PASSWORD.as_bytes();
    let c_cfg = argon2_kdf::Hasher::new()
        .algorithm(argon2_kdf::Algorithm::Argon2id)
        .memory_cost_kib(params.m_cost_kib)
        .iterations(params.t_cost)
        .threads(params.p_cost)
        .hash_length(32)
        .salt_length(16);

    // Correctness first (this also warms both up: our thread's arena, the allocator).
    let our_hash = ours.hash(&pw).unwrap();
    let c_hash = c_cfg.clone().hash(pw_bytes).unwrap();
    assert!(ours.verify(&pw, &our_hash));
    assert!(c_hash.verify(pw_bytes));
    let wrong = SecretString::from("Garage XYZ, 2026 ?");
    assert!(!ours.verify(&wrong, &our_hash));
    assert!(!c_hash.verify(wrong.expose().as_bytes()));
    let c_phc = c_hash.to_string();
    assert!(ours.verify(&pw, &PasswordHash::from_phc(c_phc.clone()).unwrap()));
    assert!(
        argon2_kdf::Hash::from_str(our_hash.as_phc())
            .unwrap()
            .verify(pw_bytes)
    );
    assert_eq!(our_hash.as_phc().len(), c_phc.len());

    let load_before = load_average();
    let mut hash = Op::default();
    let mut verify = Op::default();
    for _ in 0..rounds {
        let mut ours_last = None;
        let mut c_last = None;
        hash.round(
            || ours_last = Some(ours.hash(black_box(&pw)).unwrap()),
            || c_last = Some(c_cfg.clone().hash(black_box(pw_bytes)).unwrap()),
        );
        let (ours_last, c_last) = (ours_last.unwrap(), c_last.unwrap());
        verify.round(
            || assert!(ours.verify(black_box(&pw), &ours_last)),
            || assert!(c_last.verify(black_box(pw_bytes))),
        );
    }
    let load_after = load_average();

    println!(
        "argon2id m={} KiB, t={}, p={}, interleaved ours/C/C/ours: {rounds} rounds, {} calls per candidate and operation; load average (1 min) {load_before} before, {load_after} after; {} cores",
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        2 * rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    hash.report("hash");
    verify.report("verify");
}
