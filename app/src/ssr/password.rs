//! Password hashing: argon2id with OWASP's parameters, on a fixed set of threads of its own (one
//! per core) so that a burst of logins never stalls the async workers serving other requests.
//!
//! Why not `spawn_blocking`: tokio grows its blocking pool to hundreds of threads under load, and
//! each thread's allocator arena keeps the 19 MiB of its last hash after it is freed. A few fixed
//! threads keep a few such blocks at most, so memory stays flat however many people log in.
//!
//! The queue in front of the threads is bounded ([`PasswordHasher::reserve`]): a caller takes a
//! place before any other work, and when every place is taken it is answered at once with
//! [`HashError::Busy`] (a 503 with `Retry-After`). While a request waits for its hash it gives its
//! request slot back (`request_slot.rs`), so a login storm waits here, not in the slots every
//! other request needs.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use std::cell::RefCell;

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, Version,
    password_hash::phc::{Output, ParamsString, Salt},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::request_slot;

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
    /// Every place in the hashing queue is taken: the caller should try again shortly.
    #[error("every place in the hashing queue is taken")]
    Busy,
}

/// A unit of hashing work, run on one of the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on one thread per core, in the order asked. Each hash holds
/// 19 MiB while it runs, so the thread count also bounds the memory a login storm can take.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: flume::Sender<Job>,
    /// The places in the queue: one per hash waiting or running.
    places: Arc<Semaphore>,
    /// Verified when a login names no account, so that the answer takes as long as a real check.
    dummy_hash: Arc<str>,
}

/// Places in the hashing queue per core when the settings name no number: at about 30 ms a hash,
/// the last of them waits about 4 s, and a storm of a few hundred logins still waits its turn
/// rather than being refused.
pub const QUEUE_PLACES_PER_CORE: usize = 128;

/// The cores this process may use: one hashing thread each.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl PasswordHasher {
    /// Starts one hashing thread per core, with `queue_places` hashes waiting or running at most.
    pub fn new(queue_places: usize) -> Self {
        let cores = cores();
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
        Self { jobs, places: Arc::new(Semaphore::new(queue_places.max(1))), dummy_hash: dummy_hash.into() }
    }

    /// A place in the queue for one hash, or `Busy` at once when every place is taken. Callers
    /// that do other work before hashing (counting a guess, say) take it first, so that a busy
    /// server refuses before doing anything.
    pub fn reserve(&self) -> Result<HashPlace, HashError> {
        let place = Arc::clone(&self.places).try_acquire_owned().map_err(|_| {
            metrics::counter!("dioptra_password_hash_refused_total").increment(1);
            HashError::Busy
        })?;
        Ok(HashPlace { hasher: self.clone(), place })
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.reserve()?.hash(password).await
    }

    /// Whether `password` matches `phc`. A malformed stored hash counts as a mismatch.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        self.reserve()?.verify(password, phc).await
    }
}

/// A place in the hashing queue, taken by [`PasswordHasher::reserve`]; each use spends it.
pub struct HashPlace {
    hasher: PasswordHasher,
    place: OwnedSemaphorePermit,
}

impl HashPlace {
    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
    pub async fn hash(self, password: String) -> Result<String, HashError> {
        self.run("hash", move || hash_now(&password)).await?
    }

    /// Whether `password` matches `phc`. A malformed stored hash counts as a mismatch.
    pub async fn verify(self, password: String, phc: String) -> Result<bool, HashError> {
        self.run("verify", move || verify_now(&password, &phc)).await
    }

    /// Spends the time of one verification and always fails: the answer for an unknown account.
    pub async fn verify_dummy(self, password: String) -> Result<bool, HashError> {
        let dummy = self.hasher.dummy_hash.to_string();
        self.verify(password, dummy).await.map(|_| false)
    }

    /// Queues `work` for a hashing thread and waits for its result; records how long the argon2
    /// work itself took (not the wait in the queue) as `operation`.
    ///
    /// The place goes with the job and is freed when a thread is done with it, not when the
    /// caller stops waiting: a client that hangs up cannot free its place while its hash is still
    /// queued. The thread skips a job whose caller has gone, so hang-ups cost no hashing either.
    async fn run<T: Send + 'static>(
        self,
        operation: &'static str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let Self { hasher, place } = self;
        let (done, result) = oneshot::channel();
        let span = tracing::Span::current();
        let job: Job = Box::new(move || {
            let _place = place;
            if done.is_closed() {
                metrics::counter!("dioptra_password_hash_abandoned_total").increment(1);
                return;
            }
            let started = std::time::Instant::now();
            let outcome = span.in_scope(work);
            let seconds = started.elapsed().as_secs_f64();
            metrics::histogram!("dioptra_password_hash_duration_seconds", "operation" => operation).record(seconds);
            _ = done.send(outcome);
        });
        hasher.jobs.send(job).map_err(|_| HashError::Closed)?;
        // The wait ahead needs no request slot: another request may use it meanwhile.
        request_slot::set_aside_while(result).await.map_err(|_| HashError::Closed)
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
        let hasher = PasswordHasher::new(8);
        let phc = hasher.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(hasher.verify("correct horse".into(), phc.clone()).await.unwrap());
        assert!(!hasher.verify("correct horse!".into(), phc).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_password_gets_a_different_salt_each_time() {
        let hasher = PasswordHasher::new(8);
        let first = hasher.hash("same".into()).await.unwrap();
        let second = hasher.hash("same".into()).await.unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_itself_verify() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password(b"correct horse").unwrap();
        let hasher = PasswordHasher::new(8);
        assert!(hasher.verify("correct horse".into(), theirs.to_string()).await.unwrap());
        assert!(!hasher.verify("correct horsE".into(), theirs.to_string()).await.unwrap());
        // And ours verify with the crate's own checker.
        let ours = hasher.hash("correct horse".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_never_verifies() {
        let hasher = PasswordHasher::new(8);
        assert!(!hasher.verify("x".into(), "not a hash".into()).await.unwrap());
        assert!(!hasher.reserve().unwrap().verify_dummy("anything".into()).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_a_spent_place_frees() {
        let hasher = PasswordHasher::new(2);
        let first = hasher.reserve().unwrap();
        let second = hasher.reserve().unwrap();
        assert!(matches!(hasher.reserve(), Err(HashError::Busy)));
        assert!(matches!(hasher.hash("x".into()).await, Err(HashError::Busy)));
        first.hash("x".into()).await.unwrap();
        drop(second);
        let (a, b) = (hasher.reserve().unwrap(), hasher.reserve().unwrap());
        assert!(a.verify_dummy("y".into()).await.is_ok() && b.verify_dummy("z".into()).await.is_ok());
    }
}
