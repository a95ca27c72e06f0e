//! Password hashing: argon2id with OWASP's parameters (`argon.rs`), on a fixed set of threads of
//! its own (`threads.rs`: two tiers, of one thread per core and one per two cores) so that a burst of logins never
//! stalls the async workers serving other requests, and a flood of other requests never starves
//! the logins.
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

mod argon;
mod threads;

use std::sync::{Arc, mpsc};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

pub use argon::{ITERATIONS, MEMORY_KIB, PARALLELISM};
pub use threads::STORM_DEPTH_PER_CORE;

use super::request_slot;
use argon::{hash_now, random_dummy_password, verify_now};
use threads::{Job, Tiers};

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

/// Hashes and verifies passwords on the hashing threads, in the order asked. Each hash holds
/// 19 MiB while it runs, so the thread count also bounds the memory a login storm can take.
#[derive(Clone)]
pub struct PasswordHasher {
    tiers: Tiers,
    /// The places in the queue: one per hash waiting or running.
    places: Arc<Semaphore>,
    /// Verified when a login names no account, so that the answer takes as long as a real check.
    dummy_hash: Arc<str>,
}

/// Places in the hashing queue per core when the settings name no number: at about 30 ms a hash,
/// the last of them waits about 4 s, and a storm of a few hundred logins still waits its turn
/// rather than being refused.
pub const QUEUE_PLACES_PER_CORE: usize = 128;

/// A password change reserves its two hashes together, so fewer places would refuse every one.
pub const MIN_QUEUE_PLACES: usize = 2;

/// The cores this process may use: one hashing thread each, in each tier.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl PasswordHasher {
    /// Starts the hashing threads, with `queue_places` hashes waiting or running at most (at
    /// least [`MIN_QUEUE_PLACES`]).
    pub fn new(queue_places: usize) -> Self {
        let tiers = Tiers::start(cores());
        // Made on a hashing thread, like every hash: any other thread would keep 19 MiB of
        // argon2 memory for this one use.
        let (made, dummy_hash) = mpsc::channel();
        let job: Job = Box::new(move || _ = made.send(hash_now(&random_dummy_password())));
        tiers.send(job).expect("the hashing threads have just started");
        let dummy_hash = dummy_hash.recv().ok().and_then(Result::ok).expect("argon2 hashes with valid parameters");
        let places = Arc::new(Semaphore::new(queue_places.max(MIN_QUEUE_PLACES)));
        Self { tiers, places, dummy_hash: dummy_hash.into() }
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
            if done.is_closed() {
                metrics::counter!("dioptra_password_hash_abandoned_total").increment(1);
                return;
            }
            let started = std::time::Instant::now();
            let outcome = span.in_scope(work);
            let seconds = started.elapsed().as_secs_f64();
            metrics::histogram!("dioptra_password_hash_duration_seconds", "operation" => operation).record(seconds);
            // Freed before the caller hears back, so that its next reservation finds it.
            drop(place);
            _ = done.send(outcome);
        });
        hasher.tiers.send(job)?;
        // The wait ahead needs no request slot: another request may use it meanwhile.
        request_slot::give_back();
        result.await.map_err(|_| HashError::Closed)
    }
}

#[cfg(test)]
mod tests {
    use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};

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
        // One place asked for, two given: the least a password change needs.
        let hasher = PasswordHasher::new(1);
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
