//! A request's slot among those the server works on at once (`--max-concurrent-requests`).
//!
//! The server's slot layer puts each request's slot here for the length of the request; work that
//! waits for long without using the slot gives it back, so that the requests behind it get in.
//! Today that is a wait for a hashing thread: during a storm of logins the logins wait in the
//! hashing queue (bounded, see `password/`), and a signed-in user's page still finds a slot.

use std::cell::Cell;

use tokio::sync::OwnedSemaphorePermit;

tokio::task_local! {
    static SLOT: Cell<Option<OwnedSemaphorePermit>>;
}

/// Runs `request` holding `slot`, which is given back when the request ends, or earlier by
/// [`give_back`].
pub async fn hold<F: Future>(slot: OwnedSemaphorePermit, request: F) -> F::Output {
    SLOT.scope(Cell::new(Some(slot)), request).await
}

/// Gives the current request's slot back, if it still holds one. The request goes on without it,
/// and does not queue for a slot again: what remains after a hash is a few queries, as many at once
/// as hashes finish (tens a second per core) and bounded by the database pool, and a login whose
/// password was right must not
/// then wait behind a flood of other requests until it times out (its guess counted, and never
/// taken back).
pub fn give_back() {
    _ = SLOT.try_with(|slot| drop(slot.take()));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::Semaphore;

    use super::*;

    #[tokio::test]
    async fn a_slot_is_held_for_the_request_until_given_back() {
        let slots = Arc::new(Semaphore::new(1));
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        hold(slot, async {
            assert_eq!(slots.available_permits(), 0);
            give_back();
            assert_eq!(slots.available_permits(), 1);
            give_back();
            assert_eq!(slots.available_permits(), 1);
        })
        .await;
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        hold(slot, async { assert_eq!(slots.available_permits(), 0) }).await;
        assert_eq!(slots.available_permits(), 1, "the slot is given back when the request ends");
        give_back(); // Outside a request: nothing to give, and no panic.
    }
}
