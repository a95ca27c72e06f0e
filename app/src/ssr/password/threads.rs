//! The hashing threads, in two tiers, and which tier a hash goes to.
//!
//! A few logins at a time (at most [`STORM_DEPTH_PER_CORE`] hashes queued or running per core)
//! go to the *fair* tier, whose threads run at the same priority as the request workers: a login
//! keeps its share of the cores however busy the server is with other requests (a flood of
//! signed-in API calls cannot starve it). Beyond that depth the server is in a login storm, and
//! further hashes go to the *storm* tier, whose threads run at the lowest priority
//! (`SCHED_IDLE` on Linux): the storm gets every core nobody else wants, and a request that needs
//! no hash never waits behind it. A thread cannot raise its own priority back once lowered
//! (without privileges), hence two tiers of threads rather than one that changes.
//!
//! The price of the split is a storm next to a flood: past the depth, new logins wait in the
//! storm tier until the other requests leave a core free (or their own 30 s run out), while the
//! first ones are hashed as equals. Either way a storm is felt by every login, since they queue
//! behind it; what the tiers decide is only who gives way on the cores.
//!
//! The fair tier has one thread per core; the storm tier one per two cores ([`storm_threads`]):
//! even at the lowest priority a storm's hashes slow the other requests down through the memory
//! they share (argon2 sweeps 19 MiB per hash through the caches), and half the cores free of them
//! keeps those requests' latency near what it is without a storm. Measured (`bench/`, 2 cores, 16
//! connections of signed-in GETs next to 200 of logins): GET p99 1.6–2.2× its idle p99 with a
//! storm thread per core, 1.0–1.4× with one in all, at half the storm's own login rate. Each
//! thread keeps its 19 MiB of argon2 memory between hashes and gives it back after a second of
//! quiet (`argon.rs`). A job that panics (it cannot on any input, only on a bug) takes
//! nothing down with it: the thread goes on with the next one.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use super::argon::{RELEASE_MEMORY_AFTER, release_memory};

/// A unit of hashing work, run on one of the hashing threads.
pub(super) type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting or running per core beyond which further hashes go to the storm tier: about a
/// quarter of a second of work, more than people logging in make, fewer than a storm.
pub const STORM_DEPTH_PER_CORE: usize = 8;

/// The two tiers' queues, and how many hashes are queued or running in both.
#[derive(Clone)]
pub(super) struct Tiers {
    fair: flume::Sender<Job>,
    storm: flume::Sender<Job>,
    storm_depth: usize,
    in_flight: Arc<AtomicUsize>,
}

impl Tiers {
    /// Starts the tiers' threads: one per core in the fair tier, [`storm_threads`] in the storm's.
    pub(super) fn start(cores: usize) -> Self {
        let (fair, fair_queue) = flume::unbounded::<Job>();
        let (storm, storm_queue) = flume::unbounded::<Job>();
        for index in 0..cores {
            spawn(format!("argon2-{index}"), fair_queue.clone(), || {});
        }
        for index in 0..storm_threads(cores) {
            spawn(format!("argon2-storm-{index}"), storm_queue.clone(), yield_to_requests);
        }
        Self { fair, storm, storm_depth: STORM_DEPTH_PER_CORE * cores, in_flight: Arc::default() }
    }

    /// Queues `job` in the tier that the hashes already queued or running call for. Only hashes
    /// count: a place in the hashing queue held by a request that never hashes (a refused guess)
    /// does not push anyone into the storm tier.
    pub(super) fn send(&self, job: Job) -> Result<(), super::HashError> {
        let counted = InFlight::count(&self.in_flight);
        let queue = if counted.ahead > self.storm_depth { &self.storm } else { &self.fair };
        let job: Job = Box::new(move || {
            let _counted = counted;
            job();
        });
        queue.send(job).map_err(|_| super::HashError::Closed)
    }
}

/// One hash queued or running, counted from [`Tiers::send`] until its job is done or dropped.
struct InFlight {
    counter: Arc<AtomicUsize>,
    /// How many there were, this one included, when it was counted.
    ahead: usize,
}

impl InFlight {
    fn count(counter: &Arc<AtomicUsize>) -> Self {
        let ahead = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Self { counter: Arc::clone(counter), ahead }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The storm tier's threads: half the cores (at least one), so that a storm leaves the other half
/// free of argon2's memory traffic for the requests that need no hash (see the module's notes).
fn storm_threads(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Starts a hashing thread that first runs `prepare`, then the jobs of `queue`.
fn spawn(name: String, queue: flume::Receiver<Job>, prepare: fn()) {
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            prepare();
            // Every thread waits on the queue itself (no lock around it), so each can notice
            // its own quiet and give its memory back.
            loop {
                match queue.recv_timeout(RELEASE_MEMORY_AFTER) {
                    Ok(job) => {
                        // The job's caller hears of a panic as its result channel closing.
                        _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(flume::RecvTimeoutError::Timeout) => release_memory(),
                    Err(flume::RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .expect("the operating system starts a thread");
}

/// Puts this (storm tier) hashing thread below the request workers in the scheduler's eyes.
///
/// A login storm keeps every core hashing; at equal priority, each request that needs no hash
/// (a signed-in user's page or API call) would wait for a core behind 30 ms argon2 slices. On
/// Linux the storm tier's threads run as `SCHED_IDLE`: the kernel gives them every core nobody else
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// A job that reports the name of the thread it runs on, and waits for `go` before it ends.
    fn job(name: mpsc::Sender<String>, go: flume::Receiver<()>) -> Job {
        Box::new(move || {
            _ = name.send(std::thread::current().name().unwrap_or_default().to_owned());
            _ = go.recv();
        })
    }

    #[test]
    fn a_few_hashes_go_to_the_fair_tier_and_a_storm_to_the_storm_tier() {
        let tiers = Tiers::start(2);
        let (names, named) = mpsc::channel();
        let (go, held) = flume::unbounded();
        // Sixteen (eight per core) at once, held running or queued: all in the fair tier.
        for _ in 0..2 * STORM_DEPTH_PER_CORE {
            tiers.send(job(names.clone(), held.clone())).unwrap();
        }
        // Two start at once (one thread per core in the fair tier); the seventeenth is a storm.
        let first: Vec<String> = (0..2).map(|_| named.recv().unwrap()).collect();
        assert!(first.iter().all(|name| name.starts_with("argon2-") && !name.contains("storm")), "{first:?}");
        tiers.send(job(names.clone(), held.clone())).unwrap();
        assert!(named.recv().unwrap().starts_with("argon2-storm-"));
        // Once they are done, one more is no storm.
        for _ in 0..=2 * STORM_DEPTH_PER_CORE {
            go.send(()).unwrap();
        }
        for _ in 0..2 * STORM_DEPTH_PER_CORE - 2 {
            named.recv().unwrap();
        }
        while tiers.in_flight.load(Ordering::SeqCst) > 0 {
            std::thread::yield_now();
        }
        tiers.send(job(names, held)).unwrap();
        go.send(()).unwrap();
        assert!(!named.recv().unwrap().contains("storm"));
    }

    #[test]
    fn a_panicking_job_leaves_its_thread_working() {
        let tiers = Tiers::start(1);
        tiers.send(Box::new(|| panic!("a bug"))).unwrap();
        let (done, finished) = mpsc::channel();
        tiers.send(Box::new(move || _ = done.send(()))).unwrap();
        finished.recv_timeout(std::time::Duration::from_secs(10)).expect("the thread lives on");
        // The second job is counted out just after it answers: wait for that, not for a race.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while tiers.in_flight.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(tiers.in_flight.load(Ordering::SeqCst), 0, "the panicked job was counted out");
    }
}
