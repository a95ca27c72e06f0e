//! Handing memory that mimalloc holds back to the operating system.
//!
//! The server binary makes mimalloc its global allocator (`server/src/main.rs`, with the
//! measurements). mimalloc hands freed memory back to the system lazily, when later allocations
//! give it occasion; on a quiet server that may be never. `return_freed_memory` does it at once,
//! for the one place that frees a lot at a time: a hashing thread dropping its 19 MiB after a
//! burst of logins. Where mimalloc is not the global allocator (the tests), it has nothing to
//! hand back and the call is cheap.

/// Returns the memory freed so far to the operating system now. It walks the allocator's own
/// bookkeeping, so call it after freeing something big, not per request.
#[allow(unsafe_code, reason = "the one audited FFI call of the project; see the SAFETY note")]
pub fn return_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions: any thread may call it at any time, and it only
    // touches mimalloc's own structures.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
