//! argon2id itself: OWASP's parameters, the PHC strings, and each hashing thread's reused
//! working memory.

use std::{cell::RefCell, time::Duration};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};

use super::HashError;

/// OWASP's second argon2id configuration: 19 MiB, two passes, one lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("OWASP's argon2 parameters are valid")
}

thread_local! {
    /// This hashing thread's argon2 working memory, kept from one hash to the next while logins
    /// keep coming: no 19 MiB allocation (and page faults) per login, and memory that stays flat.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// How long a hashing thread keeps its working memory without work. Getting it back costs the
/// next hash about 10 ms of page faults, so a second of quiet (a hundred times that) keeps the cost
/// under 1% at any login rate, while a server between bursts of logins gives 19 MiB per core back.
pub(super) const RELEASE_MEMORY_AFTER: Duration = Duration::from_secs(1);

pub(super) fn release_memory() {
    let held = MEMORY.with_borrow_mut(|memory| std::mem::take(memory).capacity());
    if held > 0 {
        crate::ssr::allocator::return_freed_memory();
    }
}

/// Runs argon2 over `password` and `salt` into `out`, in this thread's reused memory.
fn compute(argon2: &Argon2<'_>, params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> bool {
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < params.block_count() {
            memory.resize(params.block_count(), Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..]).is_ok()
    })
}

pub(super) fn hash_now(password: &str) -> Result<String, HashError> {
    let failed = |what: &str| HashError::Argon2(what.to_owned());
    let params = params();
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| failed("no randomness for the salt"))?;
    let mut out = [0u8; 32];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    if !compute(&argon2, &params, password.as_bytes(), &salt, &mut out) {
        return Err(failed("the password cannot be hashed"));
    }
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e.to_string()))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e.to_string()))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e.to_string()))?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a PHC string, with the algorithm, version and parameters stored
/// in it (so old hashes keep working if ours change), comparing in constant time.
pub(super) fn verify_now(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else { return false };
    let version = match hash.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&hash) else { return false };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    compute(&argon2, &params, password.as_bytes(), salt.as_ref(), &mut out)
        && Output::new(&out).is_ok_and(|actual| actual == *expected)
}

pub(super) fn random_dummy_password() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}
