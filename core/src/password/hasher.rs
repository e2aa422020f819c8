//! Hashing: argon2id ([`PasswordHasher`]) at configurable costs ([`HashParams`]), stored as
//! standard PHC strings ([`PasswordHash`]), with an optional server-side pepper.

use std::cell::RefCell;

use argon2_rust::params::{Memory, TagLen};
use argon2_rust::{Algorithm, Argon2, Hasher, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::{Deserialize, Serialize};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::nfkc;
use crate::secret::SecretString;
use crate::{Error, Result};

/// argon2id cost parameters. [`Default`] is OWASP's recommendation: 19 MiB, 2 passes, 1 lane.
///
/// ```
/// use dealer_portal::password::HashParams;
/// let p = HashParams::default();
/// assert_eq!((p.m_cost_kib, p.t_cost, p.p_cost), (19456, 2, 1));
/// assert!(p.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashParams {
    /// Memory, in KiB (`m`). Between `8 * p_cost` and [`HashParams::MAX_M_COST_KIB`].
    pub m_cost_kib: u32,
    /// Passes over memory (`t`). Between 1 and [`HashParams::MAX_T_COST`].
    pub t_cost: u32,
    /// Lanes (`p`). Between 1 and [`HashParams::MAX_P_COST`]; computed sequentially.
    pub p_cost: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        HashParams::OWASP
    }
}

impl HashParams {
    /// OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    pub const OWASP: HashParams = HashParams {
        m_cost_kib: 19 * 1024,
        t_cost: 2,
        p_cost: 1,
    };
    /// The largest memory cost accepted, here or in a stored hash: 1 GiB.
    pub const MAX_M_COST_KIB: u32 = 1024 * 1024;
    /// The largest number of passes accepted.
    pub const MAX_T_COST: u32 = 100;
    /// The largest number of lanes accepted.
    pub const MAX_P_COST: u32 = 64;

    /// Tiny parameters (256 KiB, 1 pass) for tests: well under a millisecond. Never in
    /// production.
    pub const fn testing() -> HashParams {
        HashParams {
            m_cost_kib: 256,
            t_cost: 1,
            p_cost: 1,
        }
    }

    /// Checks argon2's bounds and ours.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] saying which parameter is out of range.
    pub fn validate(&self) -> Result<()> {
        self.check_bounds()
            .map_err(|reason| Error::InvalidConfig {
                reason: reason.into(),
            })
            .map(|_| ())
    }

    /// Our bounds, then argon2's: the parameters to hash with, for an output of [`OUTPUT_LEN`]
    /// bytes, computed on the calling thread whatever `p_cost` is.
    fn check_bounds(&self) -> std::result::Result<Params, &'static str> {
        if self.p_cost == 0 || self.p_cost > Self::MAX_P_COST {
            return Err("argon2 p_cost must be between 1 and 64");
        }
        if self.t_cost == 0 || self.t_cost > Self::MAX_T_COST {
            return Err("argon2 t_cost must be between 1 and 100");
        }
        if self.m_cost_kib < 8 * self.p_cost || self.m_cost_kib > Self::MAX_M_COST_KIB {
            return Err("argon2 m_cost_kib must be between 8 * p_cost and 1048576 (1 GiB)");
        }
        Params::builder()
            .memory(Memory::kib(u64::from(self.m_cost_kib)))
            .passes(self.t_cost)
            .lanes(self.p_cost)
            .threads(1)
            .tag_len(TagLen::bytes(OUTPUT_LEN as u64))
            .build()
            .map_err(|_| "argon2 rejects these parameters")
    }
}

/// A password hash as a PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (salt
/// and hash in standard base64 without padding). Wiped when dropped; `Debug` prints
/// `PasswordHash(***)`; equality is constant-time.
///
/// ```
/// use dealer_portal::password::{HashParams, PasswordHash};
/// let phc = "$argon2id$v=19$m=19456,t=2,p=1$Z3fRtTuKanHfnxrtK4R0Vg$/icOWF4OBsvWNMrBC39vuBFtHGqf91vm6wTsUyfxAOQ";
/// let hash = PasswordHash::from_phc(phc.to_string()).unwrap();
/// assert_eq!(hash.params(), Some(HashParams::default()));
/// assert_eq!(format!("{hash:?}"), "PasswordHash(***)");
/// assert!(PasswordHash::from_phc("$2b$12$bcrypt".into()).is_err());
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Parses and validates a stored PHC string (argon2id, argon2i or argon2d; version 19 or
    /// 16; parameters `m`, `t`, `p` within [`HashParams`]' bounds; salt of 8 to 64 bytes; hash
    /// of 4 to 64 bytes).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on field `"password hash"`; the message never quotes the string.
    pub fn from_phc(phc: String) -> Result<Self> {
        let mut phc = phc;
        if let Err(reason) = Phc::parse(&phc) {
            phc.zeroize();
            return Err(Error::InvalidInput {
                field: "password hash",
                reason: reason.into(),
            });
        }
        Ok(PasswordHash(phc))
    }

    /// The PHC string, for storage only.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// The cost parameters recorded in the string.
    pub fn params(&self) -> Option<HashParams> {
        Phc::parse(&self.0).ok().map(|p| p.params)
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

impl PartialEq for PasswordHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}
impl Eq for PasswordHash {}

/// A parsed PHC string.
struct Phc {
    algorithm: Algorithm,
    version: Version,
    params: HashParams,
    salt: Vec<u8>,
    hash: Zeroizing<Vec<u8>>,
}

impl Phc {
    fn parse(s: &str) -> std::result::Result<Phc, &'static str> {
        let mut fields = s.split('$');
        if fields.next() != Some("") {
            return Err("expected a PHC string starting with $argon2id$");
        }
        let algorithm = match fields.next() {
            Some("argon2id") => Algorithm::Argon2id,
            Some("argon2i") => Algorithm::Argon2i,
            Some("argon2d") => Algorithm::Argon2d,
            _ => return Err("unsupported algorithm; expected argon2id, argon2i or argon2d"),
        };
        let rest: Vec<&str> = fields.collect();
        let (version, params, salt, hash) = match rest.as_slice() {
            [v, params, salt, hash] => {
                let version = match *v {
                    "v=19" => Version::V0x13,
                    "v=16" => Version::V0x10,
                    _ => return Err("unsupported argon2 version; expected v=19 or v=16"),
                };
                (version, *params, *salt, *hash)
            }
            [params, salt, hash] => (Version::V0x10, *params, *salt, *hash),
            _ => return Err("expected $algorithm$v=19$m=..,t=..,p=..$salt$hash"),
        };
        let (mut m, mut t, mut p) = (None, None, None);
        for pair in params.split(',') {
            let (key, value) = pair
                .split_once('=')
                .ok_or("malformed parameters; expected m=..,t=..,p=..")?;
            if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err("parameter values must be decimal integers");
            }
            let value: u32 = value.parse().map_err(|_| "parameter value out of range")?;
            let slot = match key {
                "m" => &mut m,
                "t" => &mut t,
                "p" => &mut p,
                _ => return Err("unsupported parameter; expected only m, t and p"),
            };
            if slot.replace(value).is_some() {
                return Err("repeated parameter");
            }
        }
        let (Some(m_cost_kib), Some(t_cost), Some(p_cost)) = (m, t, p) else {
            return Err("missing parameter; expected m, t and p");
        };
        let params = HashParams {
            m_cost_kib,
            t_cost,
            p_cost,
        };
        params.check_bounds()?;
        let salt = STANDARD_NO_PAD
            .decode(salt)
            .map_err(|_| "salt is not base64 without padding")?;
        if !(8..=64).contains(&salt.len()) {
            return Err("salt must be 8 to 64 bytes");
        }
        let hash = Zeroizing::new(
            STANDARD_NO_PAD
                .decode(hash)
                .map_err(|_| "hash is not base64 without padding")?,
        );
        if !(4..=64).contains(&hash.len()) {
            return Err("hash must be 4 to 64 bytes");
        }
        Ok(Phc {
            algorithm,
            version,
            params,
            salt,
            hash,
        })
    }
}

thread_local! {
    /// The argon2 memory of this thread, kept from one hash to the next (see
    /// [`PasswordHasher::compute`]). Allocates nothing until the first hash.
    static HASHER: RefCell<Hasher> = RefCell::new(
        Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT).hasher(),
    );
}

/// Above this many 1 KiB blocks (64 MiB), memory is allocated for one hash and released.
const RETAINED_BLOCKS_MAX: usize = 64 * 1024;

/// Hashes and verifies passwords with argon2id, optionally with a server-side pepper.
///
/// Passwords are NFKC-normalised ([`normalize`](super::normalize)) before hashing and verifying,
/// so callers may pass what the user typed.
///
/// ```
/// use dealer_portal::password::{HashParams, PasswordHasher};
/// use dealer_portal::SecretString;
/// let hasher = PasswordHasher::new(HashParams::testing());
/// let pw = SecretString::from("Correct horse battery 1!");
/// let hash = hasher.hash(&pw).unwrap();
/// assert!(hash.as_phc().starts_with("$argon2id$v=19$m=256,t=1,p=1$"));
/// assert!(hasher.verify(&pw, &hash));
/// assert!(!hasher.verify(&SecretString::from("wrong"), &hash));
/// assert!(PasswordHasher::new(HashParams::default()).needs_rehash(&hash));
/// ```
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: HashParams,
    pepper: Option<SecretString>,
}

/// The length of the salts we generate, in bytes.
const SALT_LEN: usize = 16;
/// The length of the hashes we produce, in bytes.
const OUTPUT_LEN: usize = 32;

impl PasswordHasher {
    /// A hasher that produces hashes with `params` (validated when hashing).
    pub fn new(params: HashParams) -> Self {
        PasswordHasher {
            params,
            pepper: None,
        }
    }

    /// A hasher with a server-side pepper: argon2's `secret` input, kept out of the database.
    ///
    /// The pepper is not recorded in the PHC string: changing or removing it makes **every**
    /// stored hash fail to verify, so keep it as long as the hashes (users then have to reset
    /// their passwords).
    pub fn with_pepper(params: HashParams, pepper: SecretString) -> Self {
        PasswordHasher {
            params,
            pepper: Some(pepper),
        }
    }

    /// The parameters new hashes are made with.
    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes a password: argon2id v19 at the current parameters, a random 16-byte salt from the
    /// operating system, a 32-byte output.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the parameters are out of range; [`Error::Storage`] when
    /// the operating system's random generator fails.
    pub fn hash(&self, password: &SecretString) -> Result<PasswordHash> {
        let argon_params = self
            .params
            .check_bounds()
            .map_err(|reason| Error::InvalidConfig {
                reason: reason.into(),
            })?;
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt)
            .map_err(|_| Error::storage("the operating system's random generator failed"))?;
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            argon_params,
            password.as_bytes(),
            &salt,
            &mut out[..],
        )
        .map_err(|_| Error::InvalidConfig {
            reason: "argon2 rejected the parameters or the pepper".into(),
        })?;
        let HashParams {
            m_cost_kib,
            t_cost,
            p_cost,
        } = self.params;
        Ok(PasswordHash(format!(
            "$argon2id$v=19$m={m_cost_kib},t={t_cost},p={p_cost}${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(&out[..])
        )))
    }

    /// Whether `password` is the one `hash` was made from. Uses the algorithm, version and
    /// parameters recorded in the hash (not the current ones) and compares in constant time.
    /// A hash that does not parse never verifies.
    pub fn verify(&self, password: &SecretString, hash: &PasswordHash) -> bool {
        bool::from(self.verify_choice(password, hash))
    }

    /// Whether `hash` should be replaced at the next successful login: made with other
    /// parameters than the current ones, with another algorithm or version than argon2id v19,
    /// or with a shorter salt or another output length than ours.
    pub fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        match Phc::parse(hash.as_phc()) {
            Ok(phc) => {
                phc.algorithm != Algorithm::Argon2id
                    || phc.version != Version::V0x13
                    || phc.params != self.params
                    || phc.salt.len() < SALT_LEN
                    || phc.hash.len() != OUTPUT_LEN
            }
            Err(_) => true,
        }
    }

    /// Spends the time of a real [`PasswordHasher::verify`] at the current parameters, without
    /// a hash to check against: for logins with an unknown email, so that response times do not
    /// tell which emails have accounts.
    pub fn dummy_verify(&self, password: &SecretString) {
        let Ok(argon_params) = self.params.check_bounds() else {
            return;
        };
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        let salt = [0x5a_u8; SALT_LEN];
        let _ = self.compute(
            Algorithm::Argon2id,
            Version::V0x13,
            argon_params,
            password.as_bytes(),
            &salt,
            &mut out[..],
        );
        let equal = out[..].ct_eq(&[0u8; OUTPUT_LEN][..]);
        std::hint::black_box(bool::from(equal));
    }

    /// Whether `password` matches any of `hashes` (the current password and the history).
    ///
    /// Every hash is computed, whatever matches first, so the time depends on the number of
    /// hashes only, not on which one matched.
    ///
    /// ```
    /// use dealer_portal::password::{HashParams, PasswordHasher};
    /// use dealer_portal::SecretString;
    /// let hasher = PasswordHasher::new(HashParams::testing());
    /// let old: Vec<_> = ["Old password 1!", "Old password 2!"]
    ///     .iter()
    ///     .map(|p| hasher.hash(&SecretString::from(*p)).unwrap())
    ///     .collect();
    /// assert!(hasher.matches_any(&SecretString::from("Old password 1!"), &old));
    /// assert!(!hasher.matches_any(&SecretString::from("A new password 3!"), &old));
    /// ```
    pub fn matches_any(&self, password: &SecretString, hashes: &[PasswordHash]) -> bool {
        let mut any = Choice::from(0);
        for hash in hashes {
            any |= self.verify_choice(password, hash);
        }
        bool::from(any)
    }

    fn verify_choice(&self, password: &SecretString, hash: &PasswordHash) -> Choice {
        let Ok(phc) = Phc::parse(hash.as_phc()) else {
            return Choice::from(0);
        };
        let Ok(argon_params) = phc.params.check_bounds() else {
            return Choice::from(0);
        };
        let password = nfkc(password.expose());
        let mut out = Zeroizing::new(vec![0u8; phc.hash.len()]);
        if self
            .compute(
                phc.algorithm,
                phc.version,
                argon_params,
                password.as_bytes(),
                &phc.salt,
                &mut out,
            )
            .is_err()
        {
            return Choice::from(0);
        }
        out.as_slice().ct_eq(phc.hash.as_slice())
    }

    /// Runs argon2 (argon2-rust: the C reference ported to Rust, with run-time AVX-512/AVX2
    /// dispatch) into `out`, with the pepper as argon2's secret input.
    ///
    /// Up to [`RETAINED_BLOCKS_MAX`], the memory is this thread's [`HASHER`] arena, kept across
    /// hashes: a fresh 19 MiB mapping per hash would cost its page faults every time. The arena
    /// is wiped when each hash returns (argon2-rust's `zeroize-memory`), as the C reference wipes
    /// its memory, so no password-derived state outlives the call; it grows to the largest
    /// parameters this thread has used and is released when the thread ends.
    fn compute(
        &self,
        algorithm: Algorithm,
        version: Version,
        params: Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> std::result::Result<(), argon2_rust::Error> {
        let params = if params.tag_len_bytes() == out.len() {
            params
        } else {
            params
                .to_builder()
                .tag_len(TagLen::bytes(out.len() as u64))
                .build()?
        };
        let argon2 = Argon2::new(algorithm, version, params);
        let secret = self
            .pepper
            .as_ref()
            .map_or(&[][..], |pepper| pepper.expose().as_bytes());
        if params.memory_blocks() as usize <= RETAINED_BLOCKS_MAX {
            let pooled = HASHER.try_with(|cell| {
                cell.try_borrow_mut().ok().map(|mut hasher| {
                    hasher.set_argon2(argon2);
                    hasher.hash_into_with_ad(password, salt, secret, &[], out)
                })
            });
            if let Ok(Some(result)) = pooled {
                return result;
            }
            // The thread is ending (its hasher is gone): one-shot memory below.
        }
        argon2.hash_into_with_ad(password, salt, secret, &[], out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password::normalize;
    use crate::password::tests::{GOOD, password};
    use proptest::prelude::*;

    /// Made by argon2-cffi 25.1.0:
    /// `PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash("correct horse battery staple")`.
    const CFFI_OWASP: &str = "$argon2id$v=19$m=19456,t=2,p=1$Z3fRtTuKanHfnxrtK4R0Vg$/icOWF4OBsvWNMrBC39vuBFtHGqf91vm6wTsUyfxAOQ";
    /// argon2-cffi, `PasswordHasher(time_cost=1, memory_cost=64, parallelism=2)`, two lanes.
    const CFFI_TWO_LANES: &str = "$argon2id$v=19$m=64,t=1,p=2$xH6wVq+jGl9mSiio6S8J5Q$KAjAEWtilWrGt9Tnpo40ysbjnNc9pZCusthG1Vs9tIs";

    /// Made by this module at default parameters; `core/tests/data/argon2_interop.py` checks
    /// that argon2-cffi verifies them.
    const OURS_FOR_CFFI: [(&str, &str); 2] = [
        (
            "$argon2id$v=19$m=19456,t=2,p=1$Nc5lKyLWB9hD5WNjtWpvzA$YfndOUpWFdMCa/uPeP+vdEpS60trVWJpOTYGRtGVk9k",
            "correct horse battery staple",
        ),
        (
            "$argon2id$v=19$m=19456,t=2,p=1$QomdEpnKFcS3uXcmqpblnA$MG0OfX/YnHpL47rKkeXv7r//cC4Zv2K5NhgjW7z7wTc",
            "Ｃorrect horse battery 1!",
        ),
    ];

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn verifies_hashes_made_by_argon2_cffi() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let owasp = PasswordHash::from_phc(CFFI_OWASP.into()).unwrap();
        assert!(hasher.verify(&secret("correct horse battery staple"), &owasp));
        assert!(!hasher.verify(&secret("correct horse battery stapler"), &owasp));
        assert!(hasher.needs_rehash(&owasp));
        assert!(!PasswordHasher::new(HashParams::default()).needs_rehash(&owasp));
        let two = PasswordHash::from_phc(CFFI_TWO_LANES.into()).unwrap();
        assert!(hasher.verify(&secret("Motdepasse2024! É"), &two));
        assert!(!hasher.verify(&secret("Motdepasse2024! E"), &two));
        assert_eq!(
            two.params(),
            Some(HashParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 2
            })
        );
    }

    #[test]
    fn the_vectors_given_to_argon2_cffi_verify_here_too() {
        let hasher = PasswordHasher::new(HashParams::default());
        for (phc, password) in OURS_FOR_CFFI {
            let hash = PasswordHash::from_phc(phc.into()).unwrap();
            assert!(hasher.verify(&secret(password), &hash));
            assert!(!hasher.needs_rehash(&hash));
        }
    }

    #[test]
    fn our_hash_is_a_standard_phc_string() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        let parts: Vec<_> = hash.as_phc().split('$').collect();
        assert_eq!(parts[..4], ["", "argon2id", "v=19", "m=256,t=1,p=1"]);
        assert_eq!(STANDARD_NO_PAD.decode(parts[4]).unwrap().len(), 16);
        assert_eq!(STANDARD_NO_PAD.decode(parts[5]).unwrap().len(), 32);
        assert!(!parts[4].contains('=') && !parts[5].contains('='));
        assert_eq!(hash.params(), Some(HashParams::testing()));
        // it parses back and compares equal to itself
        assert_eq!(PasswordHash::from_phc(hash.as_phc().into()).unwrap(), hash);
    }

    #[test]
    fn same_output_as_rustcrypto_argon2_and_argon2_cffi() {
        // RustCrypto's argon2, an independent implementation, as the reference; our reuse of
        // the thread's arena must not change results
        let params = argon2::Params::new(64, 1, 1, Some(32)).unwrap();
        let reference =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut expected = [0u8; 32];
        reference
            .hash_password_into(
                b"correct horse battery staple",
                b"0123456789abcdef",
                &mut expected,
            )
            .unwrap();
        // and argon2-cffi's low-level hash_secret_raw gave the same bytes
        assert_eq!(
            expected.to_vec(),
            [
                0x6a, 0xae, 0x36, 0x1c, 0x12, 0xfe, 0x20, 0xf0, 0x22, 0xb4, 0x7b, 0x29, 0x0a, 0x1c,
                0x3f, 0xf2, 0x6c, 0x79, 0x25, 0x15, 0xf6, 0x8c, 0x50, 0xe4, 0x4e, 0x69, 0x6c, 0x06,
                0xc9, 0x30, 0x1f, 0xfd
            ]
        );
        let phc = format!(
            "$argon2id$v=19$m=64,t=1,p=1${}${}",
            STANDARD_NO_PAD.encode(b"0123456789abcdef"),
            STANDARD_NO_PAD.encode(expected)
        );
        let hash = PasswordHash::from_phc(phc).unwrap();
        let hasher = PasswordHasher::new(HashParams::testing());
        // twice: the second run reuses the thread's arena, wiped after the first
        for _ in 0..2 {
            assert!(hasher.verify(&secret("correct horse battery staple"), &hash));
        }
    }

    #[test]
    fn hash_verify_round_trip_and_random_salts() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let a = hasher.hash(&secret(GOOD)).unwrap();
        let b = hasher.hash(&secret(GOOD)).unwrap();
        assert_ne!(a, b);
        assert!(hasher.verify(&secret(GOOD), &a));
        assert!(hasher.verify(&secret(GOOD), &b));
        assert!(!hasher.verify(&secret("Correct horse battery 2!"), &a));
        assert!(!hasher.verify(&secret(""), &a));
        // the password is normalised: fullwidth input verifies
        assert!(hasher.verify(&secret("Ｃorrect horse battery 1!"), &a));
    }

    #[test]
    fn hash_at_default_params() {
        let hasher = PasswordHasher::new(HashParams::default());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify(&secret(GOOD), &hash));
        assert!(!hasher.needs_rehash(&hash));
    }

    #[test]
    fn pepper_changes_the_result() {
        let params = HashParams::testing();
        let plain = PasswordHasher::new(params);
        let peppered = PasswordHasher::with_pepper(params, secret("server-side pepper"));
        let other = PasswordHasher::with_pepper(params, secret("another pepper"));
        let hash = peppered.hash(&secret(GOOD)).unwrap();
        assert!(peppered.verify(&secret(GOOD), &hash));
        assert!(!plain.verify(&secret(GOOD), &hash));
        assert!(!other.verify(&secret(GOOD), &hash));
        let unpeppered = plain.hash(&secret(GOOD)).unwrap();
        assert!(!peppered.verify(&secret(GOOD), &unpeppered));
        assert!(!format!("{peppered:?}").contains("pepper\""));
        assert!(!format!("{peppered:?}").contains("server-side"));
    }

    #[test]
    fn needs_rehash_when_params_differ() {
        let old = PasswordHasher::new(HashParams::testing());
        let hash = old.hash(&secret(GOOD)).unwrap();
        assert!(!old.needs_rehash(&hash));
        let stronger = PasswordHasher::new(HashParams {
            t_cost: 2,
            ..HashParams::testing()
        });
        assert!(stronger.needs_rehash(&hash));
        // verification still uses the hash's own parameters
        assert!(stronger.verify(&secret(GOOD), &hash));
        let argon2i = PasswordHash::from_phc(
            "$argon2i$v=19$m=256,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                .into(),
        )
        .unwrap();
        assert!(old.needs_rehash(&argon2i));
    }

    #[test]
    fn matches_any_checks_the_whole_history() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let history: Vec<_> = (0..4)
            .map(|i| hasher.hash(&secret(&format!("Old password {i}!"))).unwrap())
            .collect();
        for i in 0..4 {
            assert!(hasher.matches_any(&secret(&format!("Old password {i}!")), &history));
        }
        assert!(!hasher.matches_any(&secret("Old password 4!"), &history));
        assert!(!hasher.matches_any(&secret(GOOD), &[]));
        hasher.dummy_verify(&secret(GOOD));
    }

    #[test]
    fn from_phc_rejects_malformed_strings() {
        let salt = STANDARD_NO_PAD.encode(b"0123456789abcdef");
        let out = STANDARD_NO_PAD.encode([7u8; 32]);
        let ok = format!("$argon2id$v=19$m=256,t=1,p=1${salt}${out}");
        assert!(PasswordHash::from_phc(ok).is_ok());
        let legacy = format!("$argon2i$m=256,t=1,p=1${salt}${out}"); // no version: v=16
        assert!(PasswordHash::from_phc(legacy).is_ok());
        let bad = [
            String::new(),
            "plaintext".into(),
            format!("$bcrypt$v=19$m=256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=20$m=256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1,keyid=AA${salt}${out}"),
            format!("$argon2id$v=19$m=+256,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=4,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=99999999,t=1,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=0,p=1${salt}${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}=${out}"),
            format!("$argon2id$v=19$m=256,t=1,p=1$c2FsdA${out}"), // 4-byte salt
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}$AAA"),
            format!("$argon2id$v=19$m=256,t=1,p=1${salt}${out}$extra"),
        ];
        for phc in bad {
            let err = PasswordHash::from_phc(phc.clone()).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "password hash",
                        ..
                    }
                ),
                "{phc}"
            );
        }
    }

    #[test]
    fn hash_debug_is_redacted_and_invalid_params_are_config_errors() {
        let hasher = PasswordHasher::new(HashParams::testing());
        let hash = hasher.hash(&secret(GOOD)).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(***)");
        let bad = PasswordHasher::new(HashParams {
            m_cost_kib: 4,
            t_cost: 1,
            p_cost: 1,
        });
        assert_eq!(
            bad.hash(&secret(GOOD)).unwrap_err().code(),
            "INVALID_CONFIG"
        );
        assert!(
            HashParams {
                p_cost: 0,
                ..HashParams::default()
            }
            .validate()
            .is_err()
        );
        assert!(HashParams::testing().validate().is_ok());
    }

    // --- properties --------------------------------------------------------------------------

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn serde_round_trips(m in 8u32..100_000, t in 1u32..10, lanes in 1u32..8) {
            let h = HashParams { m_cost_kib: m, t_cost: t, p_cost: lanes };
            let json = serde_json::to_string(&h).unwrap();
            prop_assert_eq!(serde_json::from_str::<HashParams>(&json).unwrap(), h);
        }
    }

    /// Cross-check parameters: every algorithm and version our PHC parser accepts, small costs.
    fn cross_check_params() -> impl Strategy<Value = (usize, u32, u32, u32, u32)> {
        (0usize..3, any::<bool>(), 1u32..=4, 1u32..=3).prop_flat_map(
            |(algorithm, v19, lanes, passes)| {
                let version = if v19 { 0x13 } else { 0x10 };
                (8 * lanes..=320).prop_map(move |m| (algorithm, version, m, passes, lanes))
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// argon2-rust, as we call it (pepper as the secret, the thread's arena reused with
        /// other sizes in between), gives RustCrypto's bytes, and a PHC string of RustCrypto's
        /// output verifies here.
        #[test]
        fn same_bytes_as_rustcrypto_argon2(
            (algorithm, version, m, t, p) in cross_check_params(),
            pw in password(),
            salt in proptest::collection::vec(any::<u8>(), 8..=32),
            pepper in proptest::option::of("[ -~]{0,24}"),
            out_len in 4usize..=64,
        ) {
            let ours = HashParams { m_cost_kib: m, t_cost: t, p_cost: p };
            let hasher = match &pepper {
                Some(pepper) => PasswordHasher::with_pepper(ours, secret(pepper)),
                None => PasswordHasher::new(ours),
            };
            let normalised = normalize(&pw);
            let password = normalised.expose().as_bytes();
            let (rc_algorithm, name) = [
                (argon2::Algorithm::Argon2d, "argon2d"),
                (argon2::Algorithm::Argon2i, "argon2i"),
                (argon2::Algorithm::Argon2id, "argon2id"),
            ][algorithm];
            let rc_version =
                if version == 0x13 { argon2::Version::V0x13 } else { argon2::Version::V0x10 };
            let rc_params = argon2::Params::new(m, t, p, Some(out_len)).unwrap();
            let reference = match &pepper {
                Some(pepper) => argon2::Argon2::new_with_secret(
                    pepper.as_bytes(), rc_algorithm, rc_version, rc_params,
                ).unwrap(),
                None => argon2::Argon2::new(rc_algorithm, rc_version, rc_params),
            };
            let mut expected = vec![0u8; out_len];
            reference.hash_password_into(password, &salt, &mut expected).unwrap();

            let (our_algorithm, our_version) = (
                [Algorithm::Argon2d, Algorithm::Argon2i, Algorithm::Argon2id][algorithm],
                if version == 0x13 { Version::V0x13 } else { Version::V0x10 },
            );
            let params = ours.check_bounds().unwrap();
            let mut got = vec![0u8; out_len];
            hasher
                .compute(our_algorithm, our_version, params, password, &salt, &mut got)
                .unwrap();
            prop_assert_eq!(&got, &expected);

            let phc = format!(
                "${name}$v={version}$m={m},t={t},p={p}${}${}",
                STANDARD_NO_PAD.encode(&salt),
                STANDARD_NO_PAD.encode(&expected)
            );
            let hash = PasswordHash::from_phc(phc).unwrap();
            prop_assert!(hasher.verify(&secret(&pw), &hash));
            expected[0] ^= 1;
            let phc = format!(
                "${name}$v={version}$m={m},t={t},p={p}${}${}",
                STANDARD_NO_PAD.encode(&salt),
                STANDARD_NO_PAD.encode(&expected)
            );
            let wrong = PasswordHash::from_phc(phc).unwrap();
            prop_assert!(!hasher.verify(&secret(&pw), &wrong));
        }
    }
}
