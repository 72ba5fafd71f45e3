//! A local GitHub backed by real git repositories.
