//! A request's slot among those the server works on at once (`--max-concurrent-requests`).
//!
//! The server's slot layer puts each request's slot here for the length of the request; work that
//! waits for long without using the slot sets it aside, so that the requests behind it get in, and
//! takes a slot again (waiting its turn) before it goes on. Today that is a wait for a hashing
//! thread: during a storm of logins the logins wait in the hashing queue (bounded, see
//! `password.rs`), and a signed-in user's page still finds a slot.

use std::{cell::Cell, sync::Arc};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The slots a request's slot belongs to, and the slot itself while the request holds it.
struct Slot {
    slots: Arc<Semaphore>,
    held: Cell<Option<OwnedSemaphorePermit>>,
}

tokio::task_local! {
    static SLOT: Slot;
}

/// Runs `request` holding `slot` (one of `slots`), which is given back when the request ends.
pub async fn hold<F: Future>(slots: Arc<Semaphore>, slot: OwnedSemaphorePermit, request: F) -> F::Output {
    SLOT.scope(Slot { slots, held: Cell::new(Some(slot)) }, request).await
}

/// Awaits `wait` without the current request's slot, then takes a slot again before going on,
/// so that whatever the request does next (its database work) still counts against the limit.
/// Outside a request, or in one that holds no slot, it only awaits `wait`.
pub async fn set_aside_while<F: Future>(wait: F) -> F::Output {
    let given_back = SLOT.try_with(|slot| slot.held.take().map(|_| Arc::clone(&slot.slots))).ok().flatten();
    let output = wait.await;
    if let Some(slots) = given_back {
        // The semaphore is never closed, so acquiring only ever waits.
        let slot = slots.acquire_owned().await.expect("the request slots are never closed");
        SLOT.with(|held| held.held.set(Some(slot)));
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slot_is_set_aside_for_a_wait_and_taken_again_after_it() {
        let slots = Arc::new(Semaphore::new(1));
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        hold(Arc::clone(&slots), slot, async {
            assert_eq!(slots.available_permits(), 0);
            set_aside_while(async { assert_eq!(slots.available_permits(), 1, "set aside") }).await;
            assert_eq!(slots.available_permits(), 0, "taken again");
        })
        .await;
        assert_eq!(slots.available_permits(), 1, "the slot is given back when the request ends");
        // Outside a request: nothing to set aside, and no panic.
        assert_eq!(set_aside_while(async { 7 }).await, 7);
    }

    #[tokio::test]
    async fn after_its_wait_a_request_queues_for_a_slot_behind_those_that_took_it() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let slots = Arc::new(Semaphore::new(1));
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        let (others, other_done) = (Arc::clone(&slots), Arc::new(AtomicBool::new(false)));
        let done = Arc::clone(&other_done);
        hold(Arc::clone(&slots), slot, async move {
            let (other_has_the_slot, other_started) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(async move {
                let _slot = others.acquire_owned().await.unwrap();
                _ = other_has_the_slot.send(());
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                done.store(true, Ordering::SeqCst);
            });
            set_aside_while(async { other_started.await.unwrap() }).await;
            assert!(other_done.load(Ordering::SeqCst), "the request waited for the other one's slot");
        })
        .await;
    }
}
