//! Password hashing: argon2id with OWASP's parameters, on a fixed set of threads of its own (one
//! per core) so that a burst of logins never stalls the async workers serving other requests.
//!
//! Why not `spawn_blocking`: tokio grows its blocking pool to hundreds of threads under load, and
//! each thread's allocator arena keeps the 19 MiB of its last hash after it is freed. A few fixed
//! threads keep a few such blocks at most, so memory stays flat however many people log in.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use std::cell::RefCell;

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use tokio::sync::oneshot;

/// OWASP's second argon2id configuration: 19 MiB, two passes, one lane.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 failed: {0}")]
    Argon2(String),
    #[error("the hashing threads are gone")]
    Closed,
}

/// A unit of hashing work, run on one of the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on one thread per core, in the order asked. Each hash holds
/// 19 MiB while it runs, so the thread count also bounds the memory a login storm can take.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: flume::Sender<Job>,
    /// Verified when a login names no account, so that the answer takes as long as a real check.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        // Every thread waits on the queue itself (no lock around it), so each can notice its own
        // quiet and give its memory back.
        let (jobs, queue) = flume::unbounded::<Job>();
        for index in 0..cores {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || {
                    yield_to_requests();
                    loop {
                        match queue.recv_timeout(RELEASE_MEMORY_AFTER) {
                            Ok(job) => job(),
                            Err(flume::RecvTimeoutError::Timeout) => release_memory(),
                            Err(flume::RecvTimeoutError::Disconnected) => return,
                        }
                    }
                })
                .expect("the operating system starts a thread");
        }
        // Made on a hashing thread, like every hash: any other thread would keep 19 MiB of
        // argon2 memory for this one use.
        let (made, dummy_hash) = mpsc::channel();
        let job: Job = Box::new(move || _ = made.send(hash_now(&random_dummy_password())));
        jobs.send(job).expect("the hashing threads have just started");
        let dummy_hash = dummy_hash.recv().ok().and_then(Result::ok).expect("argon2 hashes with valid parameters");
        Self { jobs, dummy_hash: dummy_hash.into() }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run("hash", move || hash_now(&password)).await?
    }

    /// Whether `password` matches `phc`. A malformed stored hash counts as a mismatch.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        self.run("verify", move || verify_now(&password, &phc)).await
    }

    /// Spends the time of one verification and always fails: the answer for an unknown account.
    pub async fn verify_dummy(&self, password: String) -> Result<bool, HashError> {
        let dummy = self.dummy_hash.to_string();
        self.verify(password, dummy).await.map(|_| false)
    }

    /// Queues `work` for a hashing thread and waits for its result; records how long the argon2
    /// work itself took (not the wait in the queue) as `operation`.
    async fn run<T: Send + 'static>(
        &self,
        operation: &'static str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            let started = std::time::Instant::now();
            let outcome = span.in_scope(work);
            let seconds = started.elapsed().as_secs_f64();
            metrics::histogram!("dioptra_password_hash_duration_seconds", "operation" => operation).record(seconds);
            _ = done.send(outcome);
        });
        self.jobs.send(job).map_err(|_| HashError::Closed)?;
        result.await.map_err(|_| HashError::Closed)
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

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
const RELEASE_MEMORY_AFTER: Duration = Duration::from_secs(1);

fn release_memory() {
    let held = MEMORY.with_borrow_mut(|memory| std::mem::take(memory).capacity());
    if held > 0 {
        super::allocator::return_freed_memory();
    }
}

/// Puts this hashing thread below the request workers in the scheduler's eyes.
///
/// A login storm keeps every core hashing; at equal priority, each request that needs no hash
/// (a signed-in user's page or API call) would wait for a core behind 30 ms argon2 slices. On
/// Linux the hashing threads run as `SCHED_IDLE`: the kernel gives them every core nobody else
/// wants, so logins alone go as fast as ever, and preempts them at once for a request. Measured
/// with `bench/` during a login storm (2 cores, 16 connections): GET /users/current p99 8.2 ms
/// at normal priority, 5.1 ms at nice 19, 3.7 to 4.6 ms as `SCHED_IDLE`, while the storm's logins
/// still ran at half their idle rate. Elsewhere the lowest niceness does the same, less strictly.
fn yield_to_requests() {
    use thread_priority::{ThreadPriority, set_current_thread_priority};
    #[cfg(target_os = "linux")]
    let lowered = {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy, thread_native_id,
        };
        let idle = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);
        set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, idle)
            .or_else(|_| set_current_thread_priority(ThreadPriority::Min))
    };
    #[cfg(not(target_os = "linux"))]
    let lowered = set_current_thread_priority(ThreadPriority::Min);
    if let Err(error) = lowered {
        tracing::warn!(?error, "cannot lower the hashing threads' priority; requests will share cores with them");
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

fn hash_now(password: &str) -> Result<String, HashError> {
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
fn verify_now(password: &str, phc: &str) -> bool {
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

fn random_dummy_password() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_with_owasp_parameters() {
        let hasher = PasswordHasher::new();
        let phc = hasher.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse".into(), phc.clone()).await.unwrap());
        assert!(!hasher.verify("correct horse!".into(), phc).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_password_gets_a_different_salt_each_time() {
        let hasher = PasswordHasher::new();
        let first = hasher.hash("same".into()).await.unwrap();
        let second = hasher.hash("same".into()).await.unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password(b"correct horse").unwrap();
        let hasher = PasswordHasher::new();
        assert!(hasher.verify("correct horse".into(), theirs.to_string()).await.unwrap());
        assert!(!hasher.verify("correct horsE".into(), theirs.to_string()).await.unwrap());
        // And ours verify with the crate's own checker.
        let ours = hasher.hash("correct horse".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_never_verifies() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify("x".into(), "not a hash".into()).await.unwrap());
        assert!(!hasher.verify_dummy("anything".into()).await.unwrap());
    }
}
