//! GitHub behaviour settings: how the sandbox's GitHub behaves where GitHub's own behaviour
//! has a number or a choice, one setting each, GitHub's documented value by default
//! (`Behaviour::default()`). They are set per sandbox (`SandboxConfig::behaviour`) next to
//! `Faults`, which are failures injected on purpose rather than GitHub's normal behaviour.
//!
//! A setting is read where its behaviour happens: in the REST handler of its resource
//! (`rest::contents`, `rest::compare`, `rest::refs`, `rest::pulls`, …), in the request
//! pipeline (`server::pipeline`), in the REST limits (`limits`), or in GraphQL's cost and
//! pagination (`graphql::cost`, `graphql::connection`). Rate limits per token stay with the
//! tokens (`TokenSpec`) and `SandboxConfig::content_limit_per_minute`.

/// Largest file `GET …/contents/{path}` answers with its bytes inline: GitHub's 1 MB ("If
/// the requested file's size is 1 MB or smaller: all features of this endpoint are
/// supported", the operation's description in GitHub's OpenAPI description).
pub const CONTENTS_INLINE_MAX: usize = 1024 * 1024;

/// How the sandbox's GitHub behaves; `Behaviour::default()` is GitHub's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Behaviour {
    /// Largest file the contents route answers with its bytes inline ([`CONTENTS_INLINE_MAX`]);
    /// a larger file answers `content: ""`, `encoding: "none"`, to be read through
    /// `GET …/git/blobs/{sha}`.
    pub contents_inline_max: usize,
    /// Commits a compare lists per page, and the largest `per_page` it takes: 250. GitHub
    /// lists 250 commits when no paging parameter is given (the compare operation's
    /// description); taking up to 250 for `per_page` too is the sandbox's own choice
    /// (GitHub's common `per_page` allows 100).
    pub compare_commits_per_page: usize,
    /// Changed files a compare lists: GitHub's "up to 300 changed files for the entire
    /// comparison" (the compare operation's description).
    pub compare_files_max: usize,
    /// Items per page of a REST list when `per_page` is not given: GitHub's 30 (the
    /// `per_page` parameter's default).
    pub list_per_page_default: usize,
    /// The largest `per_page` of a REST list: GitHub's 100 ("max 100", the `per_page`
    /// parameter).
    pub list_per_page_max: usize,
    /// The most records one GraphQL connection page may ask for (`first`/`last`): GitHub's
    /// 100; more is refused with `EXCESSIVE_PAGINATION` (GitHub's documentation, "Rate limits
    /// and node limits for the GraphQL API": values of `first` and `last` must be within
    /// 1-100).
    pub graphql_page_max: i64,
    /// REST requests that name a renamed repository by its former name answer a redirect to
    /// `/repositories/{id}/…` with GitHub's "Moved Permanently" body: **301** for GET and
    /// HEAD, **307** for every other method (recorded: octokit/fixtures `rename-repository`,
    /// api.github.com 2022-07-19, under `recordings/`; GitHub's API overview: clients should
    /// assume any request may be redirected and repeat it at `Location`). `false` is kinder
    /// than GitHub: the old name is served as if it were the new one. GraphQL follows renames
    /// either way (`Query.repository(followRenames: true)` is the schema's default).
    pub redirect_renamed: bool,
    /// A compare whose range holds more than this many commits (its `total_commits`) answers
    /// **500** "Server Error: Sorry, this diff is temporarily unavailable due to heavy server
    /// load." with `errors: [{resource: Comparison, field: diff, code: not_available}]`
    /// (recorded 2026-05, link-assistant/hive-mind#1831; the compare operation documents 500).
    /// GitHub publishes no size: 3,000 is the sandbox's model, above any generated fleet
    /// (at most 200 behind) and low enough for a test to provoke; 0 = never.
    pub compare_fail_over: usize,
    /// How long (milliseconds) after it was made a commit made while the sandbox runs (a REST
    /// write, or a library push such as `Sandbox::advance_upstream`) becomes usable by the
    /// *other* repositories of its fork network; 0 = at once. Until then `PATCH
    /// …/git/refs/{ref}` and `POST …/git/refs` naming it there answer 404 Not Found, while
    /// `merge-upstream` works at once and makes the upstream's commits usable in that fork from
    /// then on. GitHub: "a new commit from upstream is not yet available in the fork" (cli/cli#4907,
    /// answered by cli/cli#4942 calling merge-upstream first); creating a ref in a fork at such
    /// a commit answers Not Found too (microsoft/winget-create#233, #235;
    /// googleapis/code-suggester#335). GitHub gives no figure: 1000 is the sandbox's choice.
    /// `Sandbox::never_propagate` makes one commit wait for a merge-upstream.
    pub propagation_ms: u64,
    /// How a ref write (`PATCH …/git/refs/{ref}`, `POST …/git/refs`) is refused when its new
    /// commit changes `.github/workflows/` against the ref's current commit (a new ref: against
    /// the default branch) and the token lacks the `workflow` scope / Workflows: write.
    pub workflow_refusal: WorkflowRefusal,
}

/// How a ref write that needs the workflow permission is refused (`Behaviour::workflow_refusal`).
/// `merge-upstream` always answers GitHub's explicit 422.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkflowRefusal {
    /// GitHub: 404 Not Found, the body of any missing object (cli/cli#7574 and #7612 with a
    /// classic token, 2023; cli/cli#10573/#10574 with an App token, 2025: "informative error
    /// rather than a 404" is still the ask).
    NotFound,
    /// The sandbox's earlier kindness: 422 with merge-upstream's wording, for a test that wants
    /// the reason spelled out.
    Explicit,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            contents_inline_max: CONTENTS_INLINE_MAX,
            compare_commits_per_page: 250,
            compare_files_max: 300,
            list_per_page_default: 30,
            list_per_page_max: 100,
            graphql_page_max: 100,
            redirect_renamed: true,
            compare_fail_over: 3_000,
            propagation_ms: 1000,
            workflow_refusal: WorkflowRefusal::NotFound,
        }
    }
}
