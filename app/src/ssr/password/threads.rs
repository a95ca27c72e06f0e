//! The hashing threads, in two tiers, and which tier a hash goes to.
//!
//! A few logins at a time (at most [`STORM_DEPTH_PER_CORE`] hashes waiting or running per core)
//! go to the *fair* tier, whose threads run at the same priority as the request workers: a login
//! keeps its share of the cores however busy the server is with other requests (a flood of
//! signed-in API calls cannot starve it). Beyond that depth the server is in a login storm, and
//! further hashes go to the *storm* tier, whose threads run at the lowest priority
//! (`SCHED_IDLE` on Linux): the storm gets every core nobody else wants, and a request that needs
//! no hash never waits behind it. A thread cannot raise its own priority back once lowered
//! (without privileges), hence two tiers of threads rather than one that changes.
//!
//! Each tier has one thread per core; each thread keeps its 19 MiB of argon2 memory between
//! hashes and gives it back after a second of quiet (`argon.rs`).

use super::argon::{RELEASE_MEMORY_AFTER, release_memory};

/// A unit of hashing work, run on one of the hashing threads.
pub(super) type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting or running per core beyond which further hashes go to the storm tier: about a
/// quarter of a second of work, more than people logging in make, fewer than a storm.
pub const STORM_DEPTH_PER_CORE: usize = 8;

/// The two tiers' queues.
#[derive(Clone)]
pub(super) struct Tiers {
    fair: flume::Sender<Job>,
    storm: flume::Sender<Job>,
    storm_depth: usize,
}

impl Tiers {
    /// Starts one thread per core in each tier.
    pub(super) fn start(cores: usize) -> Self {
        let (fair, fair_queue) = flume::unbounded::<Job>();
        let (storm, storm_queue) = flume::unbounded::<Job>();
        for index in 0..cores {
            spawn(format!("argon2-{index}"), fair_queue.clone(), || {});
            spawn(format!("argon2-storm-{index}"), storm_queue.clone(), yield_to_requests);
        }
        Self { fair, storm, storm_depth: STORM_DEPTH_PER_CORE * cores }
    }

    /// Queues `job`, one of `in_flight` hashes waiting or running (itself included).
    pub(super) fn send(&self, job: Job, in_flight: usize) -> Result<(), super::HashError> {
        let queue = if in_flight > self.storm_depth { &self.storm } else { &self.fair };
        queue.send(job).map_err(|_| super::HashError::Closed)
    }
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
                    Ok(job) => job(),
                    Err(flume::RecvTimeoutError::Timeout) => release_memory(),
                    Err(flume::RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .expect("the operating system starts a thread");
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// The name of the thread that runs a job sent with `in_flight` hashes in flight.
    fn runs_on(tiers: &Tiers, in_flight: usize) -> String {
        let (name, named) = mpsc::channel();
        let job: Job = Box::new(move || _ = name.send(std::thread::current().name().map(str::to_owned)));
        tiers.send(job, in_flight).unwrap();
        named.recv().unwrap().unwrap()
    }

    #[test]
    fn a_few_hashes_go_to_the_fair_tier_and_a_storm_to_the_storm_tier() {
        let tiers = Tiers::start(2);
        assert!(runs_on(&tiers, 1).starts_with("argon2-"), "one login");
        assert!(!runs_on(&tiers, 1).contains("storm"), "one login");
        assert!(!runs_on(&tiers, 2 * STORM_DEPTH_PER_CORE).contains("storm"), "as many as the fair tier takes");
        assert!(runs_on(&tiers, 2 * STORM_DEPTH_PER_CORE + 1).starts_with("argon2-storm-"), "a storm");
    }
}
