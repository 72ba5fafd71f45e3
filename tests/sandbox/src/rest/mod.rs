//! The REST handlers, one module per GitHub resource; each answers as GitHub does (paths,
//! status codes, wording), reading and writing real git through `git`. The route table that
//! points at them is `server::routes`; what they share (finding the repository, permission
//! checks, pagination, GitHub's error bodies) is `support`; JSON shapes are `shapes`.

pub mod app;
pub mod assignees;
pub mod compare;
pub mod contents;
pub mod git_data;
pub mod labels;
pub mod merge_upstream;
pub mod pulls;
pub mod rate_limit;
pub mod refs;
pub mod repos;
pub mod shapes;
pub mod support;

pub use crate::behaviour::CONTENTS_INLINE_MAX;
