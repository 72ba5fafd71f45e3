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

/// GitHub's GraphQL timeout: "If GitHub takes more than 10 seconds to process an API
/// request, GitHub will terminate the request and you will receive a timeout response"
/// (GitHub's documentation, "Rate limits and query limits for the GraphQL API", Timeouts).
pub const GRAPHQL_TIMEOUT_MS: u64 = 10_000;

/// GitHub's timeout answer, as the GitHub CLI printed it in 2026 (with `(HTTP 504)`), also for
/// the GraphQL URL. The JSON shape (`{"message": …}`) is inferred from how clients print it.
pub const GRAPHQL_TIMEOUT_MESSAGE: &str = "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.";

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
    /// Points one token may spend a minute on one REST endpoint: GitHub's 900 ("Make too many
    /// requests to a single endpoint per minute. No more than 900 points per minute are
    /// allowed for REST API endpoints"; a GET, HEAD or OPTIONS
    /// request is 1 point, a POST, PATCH, PUT or DELETE 5: GitHub's documentation, "Rate
    /// limits for the REST API", secondary rate limits). An endpoint is a method and a route
    /// template (`GET /repos/{owner}/{repo}/compare/{basehead}`), whatever the repository:
    /// GitHub's docs call each operation of its reference an endpoint, and one per
    /// repository path would never bind a fleet. Past it: 403, GitHub's secondary-limit
    /// message, `retry-after` until the window has room. 0 = no limit.
    pub endpoint_points_per_minute: u32,
    /// Content-creating requests one token may make an hour: GitHub's 500 ("Generally, no
    /// more than 80 content-generating requests per minute and no more than 500
    /// content-generating requests per hour are allowed", same page). The per-minute limit is
    /// `SandboxConfig::content_limit_per_minute`. Past it: 403 with GitHub's content-creation
    /// message (recorded: peter-evans/create-pull-request#855). 0 = no limit.
    pub content_per_hour: u32,
    /// Whether the hourly content refusal carries `retry-after`. GitHub's docs say to honour
    /// it "if present"; a live report (hivecommons/hive#4674) found GitHub does not reliably
    /// send it on these 403s, and the window re-tripped an hour later. Default false.
    pub content_per_hour_retry_after: bool,
    /// Most nodes one GraphQL document may ask for: GitHub's 500,000 (same GraphQL page,
    /// "Node limit"). More is refused before anything runs with `MAX_NODE_LIMIT_EXCEEDED`
    /// (recorded wording, pyvec/python.cz#250), no `data`. 0 = no limit.
    pub graphql_node_limit: u64,
    /// Whether a connection selecting `nodes` or `edges` must say `first` or `last`
    /// (GitHub: "You must supply a first or last argument on any connection"; refused with
    /// `MISSING_PAGINATION_BOUNDARIES`). A connection asked only for `totalCount` is
    /// allowed, as on GitHub. Default true.
    pub graphql_pagination_bounds: bool,
    /// GitHub's GraphQL timeout ([`GRAPHQL_TIMEOUT_MS`]); the sandbox's model of the time a
    /// document takes is `nodes × graphql_us_per_node + requests × graphql_us_per_request`,
    /// from the document alone (nodes and requests as GitHub's `nodeCount` and cost count
    /// them). A document over the limit is answered `graphql_timeout_status` with
    /// [`GRAPHQL_TIMEOUT_MESSAGE`], after `graphql_timeout_answer_ms`, and (GitHub changelog
    /// 2025-07-21, "Including timeouts in primary rate limits") still charges its cost to the
    /// primary limit. 0 = no timeout.
    pub graphql_timeout_ms: u64,
    /// The model's time per node asked for (µs): 900. GitHub publishes no figure; the value
    /// is the sandbox's, chosen so that the documents that time out on GitHub in public
    /// reports (many commit histories in one document: liatrio/liatrio-otel-collector#71,
    /// sorenlouv/backport#479, getsentry/sentry#100275) are the ones that cost most here:
    /// 100 forks' histories of 100 commits run past 10 s, 50 take about half of it.
    pub graphql_us_per_node: u64,
    /// The model's time per connection fetched for one parent (µs, GitHub's cost unit, a
    /// "request"): 10,000. The sandbox's figure, like `graphql_us_per_node`.
    pub graphql_us_per_request: u64,
    /// Whether a document cut off by the timeout still costs its points: GitHub changelog
    /// 2025-07-21, "Including timeouts in primary rate limits" ("request timeouts will now
    /// count against your primary rate limit"). Default true; false is GitHub before then.
    pub graphql_timeouts_charged: bool,
    /// Status of the timeout answer: 504, as recorded in 2026 (GitHub's docs say 502 or
    /// 504; a 2021 recording shows 502 with another text).
    pub graphql_timeout_status: u16,
    /// How long the sandbox waits before answering a timeout: GitHub answers after its 10
    /// s. A test that times documents out on purpose may shorten it (never the limit).
    pub graphql_timeout_answer_ms: u64,
    /// The GraphQL rate-limit answer in its old form (`"type": "RATE_LIMITED"`, recorded in
    /// 2021) instead of the current one (`"type": "RATE_LIMIT", "code":
    /// "graphql_rate_limit"`, recorded in 2026: yanyongyu/githubkit#271,
    /// octokit/plugin-throttling.js#824). Default false.
    pub graphql_rate_limit_legacy: bool,
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
    /// Milliseconds a pull request's mergeability takes to compute after it is opened or its
    /// head or base moves: until then `GET pulls/{n}` answers `mergeable: null`,
    /// `mergeable_state: "unknown"` (`rebaseable` and `merge_commit_sha` null) and GraphQL
    /// `mergeable: UNKNOWN`, `mergeStateStatus: UNKNOWN`; then the computed values. GitHub's
    /// description of GET pull (OpenAPI `pulls/get`): `null` means "GitHub has started a
    /// background job to compute the mergeability … after giving the job time to complete,
    /// resubmit the request"; GraphQL's `MergeableState.UNKNOWN` ("still being calculated").
    /// No source gives a duration: 1000 is the sandbox's model (`serve --mergeable-ms`); 0 =
    /// known at once. A move is noticed by the first read after it (GitHub starts the job
    /// when a pull request is read, created or edited, the same description says).
    pub mergeable_ms: u64,
    /// Milliseconds a newly opened pull request stays out of `GET pulls` lists (any filter)
    /// and GraphQL `pullRequests` connections; `GET pulls/{n}` and GraphQL
    /// `pullRequest(number:)` see it at once, and a second create for its head and base
    /// answers 422 "A pull request already exists for owner:branch." meanwhile. GitHub's
    /// reads lag its writes (prose/prose#148: up to ~30 s for branch reads, 2012; a list
    /// saying no PR is open followed by that 422 was recorded in vsoch/pull-request-action#86,
    /// 2022); no source times pull lists: 1000 is the sandbox's model (`serve
    /// --list-lag-ms`); 0 = listed at once. Pull requests opened by the library's
    /// `open_pull` and the generated fleet's count as opened long ago.
    pub list_lag_ms: u64,
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
            endpoint_points_per_minute: 900,
            content_per_hour: 500,
            content_per_hour_retry_after: false,
            graphql_node_limit: 500_000,
            graphql_pagination_bounds: true,
            graphql_timeout_ms: GRAPHQL_TIMEOUT_MS,
            graphql_us_per_node: 900,
            graphql_us_per_request: 10_000,
            graphql_timeouts_charged: true,
            graphql_timeout_status: 504,
            graphql_timeout_answer_ms: GRAPHQL_TIMEOUT_MS,
            graphql_rate_limit_legacy: false,
            redirect_renamed: true,
            compare_fail_over: 3_000,
            propagation_ms: 1000,
            workflow_refusal: WorkflowRefusal::NotFound,
            mergeable_ms: 1000,
            list_lag_ms: 1000,
        }
    }
}
