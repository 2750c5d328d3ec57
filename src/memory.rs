//! Handing freed memory back to the system natively.

/// Returns the pages of freed heap memory to the system. The C library's
/// allocator keeps them otherwise, so that memory freed in the middle of
/// the heap still counts towards the process's peak while it grows
/// elsewhere.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_free_pages() {
    unsafe extern "C" {
        /// glibc's `malloc_trim`. Its manual page says that since glibc 2.8
        /// it releases whole free pages anywhere in every arena.
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim only releases pages that the allocator has free.
    unsafe {
        malloc_trim(0);
    }
}

/// Does nothing: other allocators return memory on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_free_pages() {}
