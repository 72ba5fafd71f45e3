//! What a GraphQL document asks of GitHub, read from its text before it is sent, by the rules
//! GitHub documents ("Rate limits and query limits for the GraphQL API"): every connection is
//! one *request* per parent object (the cost is requests / 100, rounded, at least 1) and asks
//! for `first`/`last` *nodes* per parent (500,000 at most per document), `Commit.history`
//! included. A connection is a field with `first`/`last`, or one selecting `totalCount`,
//! `nodes`, `edges` or `pageInfo` (a `totalCount` alone costs a request but no node).
//!
//! GitHub also cuts a document off after 10 s and does not say how long a node takes, so
//! batches are sized by a model of our own: `nodes × 0.9 ms + requests × 10 ms`, kept under
//! 60 % of those 10 s and a tenth of the node limit. The same model, with the same figures,
//! is the sandbox's default (`tests/sandbox`, `Behaviour::graphql_us_per_node`). When GitHub
//! times out anyway, the caller sends the batch again in halves ([`super::graphql_post`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Add, AddAssign};

use serde_json::Value;

/// GitHub's node limit per document.
pub const NODE_LIMIT: u64 = 500_000;
/// GitHub's time limit per request (ms).
pub const TIMEOUT_MS: u64 = 10_000;
/// The model's time per node asked for (µs).
pub const US_PER_NODE: u64 = 900;
/// The model's time per connection fetched for one parent (µs).
pub const US_PER_REQUEST: u64 = 10_000;
/// Most nodes one batch asks for: a tenth of GitHub's limit.
pub const NODE_TARGET: u64 = NODE_LIMIT / 10;
/// Most time one batch may take under the model: 60 % of GitHub's 10 s.
pub const TIME_TARGET_MS: u64 = TIMEOUT_MS * 6 / 10;

/// Requests and nodes a document (or one repository's part of a batch) asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Demand {
    pub requests: u64,
    pub nodes: u64,
}

impl Demand {
    /// GitHub's points for it: requests / 100, rounded, at least 1.
    pub fn cost(&self) -> u64 {
        ((self.requests + 50) / 100).max(1)
    }

    /// The model's time for it (ms).
    pub fn millis(&self) -> u64 {
        (self.nodes * US_PER_NODE + self.requests * US_PER_REQUEST) / 1000
    }

    /// Within the per-batch targets (nodes and modelled time).
    pub fn fits(&self) -> bool {
        self.nodes <= NODE_TARGET && self.millis() <= TIME_TARGET_MS
    }
}

impl Add for Demand {
    type Output = Demand;
    fn add(self, o: Demand) -> Demand {
        Demand {
            requests: self.requests + o.requests,
            nodes: self.nodes + o.nodes,
        }
    }
}

impl AddAssign for Demand {
    fn add_assign(&mut self, o: Demand) {
        *self = *self + o;
    }
}

/// Batch lengths for items asking `demands` each, in order: as many items as fit the targets
/// together, at most `max_items` (the user's `limits.graphql_batch`); an item that does not
/// fit alone still gets a batch of its own.
pub fn batch_sizes(demands: &[Demand], max_items: usize) -> Vec<usize> {
    let max_items = max_items.max(1);
    let mut sizes = Vec::new();
    let (mut len, mut sum) = (0usize, Demand::default());
    for d in demands {
        if len > 0 && (len == max_items || !(sum + *d).fits()) {
            sizes.push(len);
            (len, sum) = (0, Demand::default());
        }
        len += 1;
        sum += *d;
    }
    if len > 0 {
        sizes.push(len);
    }
    sizes
}

/// What `document` asks for, `$variables` substituted into `first`/`last`. `Err` says what
/// could not be read (the documents are ours: a bug).
pub fn demand(document: &str, variables: &Value) -> Result<Demand, String> {
    let doc = Parser::new(document).document()?;
    let mut total = Demand::default();
    for sel in &doc.operations {
        walk(&doc, sel, 1, variables, &mut BTreeSet::new(), &mut total);
    }
    Ok(total)
}

#[derive(Debug)]
enum Sel {
    Field {
        name: String,
        bound: Option<Bound>,
        items: Vec<Sel>,
    },
    Spread(String),
    Inline(Vec<Sel>),
}

#[derive(Debug, Clone)]
enum Bound {
    Int(i64),
    Var(String),
}

#[derive(Debug, Default)]
struct Doc {
    operations: Vec<Vec<Sel>>,
    fragments: BTreeMap<String, Vec<Sel>>,
}

/// Is a field with this selection a connection? (Its `first`/`last` is checked separately.)
fn lists_like_a_connection(doc: &Doc, items: &[Sel], seen: &mut BTreeSet<String>) -> bool {
    items.iter().any(|s| match s {
        Sel::Field { name, .. } => {
            matches!(name.as_str(), "totalCount" | "nodes" | "edges" | "pageInfo")
        }
        Sel::Inline(inner) => lists_like_a_connection(doc, inner, seen),
        Sel::Spread(f) => {
            seen.insert(f.clone())
                && doc
                    .fragments
                    .get(f)
                    .is_some_and(|inner| lists_like_a_connection(doc, inner, seen))
        }
    })
}

fn walk(
    doc: &Doc,
    items: &[Sel],
    mult: u64,
    vars: &Value,
    stack: &mut BTreeSet<String>,
    d: &mut Demand,
) {
    for s in items {
        match s {
            Sel::Field { bound, items, .. } => {
                let n = bound.as_ref().map(|b| match b {
                    Bound::Int(n) => *n,
                    Bound::Var(v) => vars.get(v).and_then(Value::as_i64).unwrap_or(0),
                });
                let connection =
                    n.is_some() || lists_like_a_connection(doc, items, &mut BTreeSet::new());
                let mut child = mult;
                if connection {
                    let n = n.unwrap_or(0).max(0) as u64;
                    d.requests += mult;
                    d.nodes += mult * n;
                    child = mult * n.max(1);
                }
                walk(doc, items, child, vars, stack, d);
            }
            Sel::Inline(inner) => walk(doc, inner, mult, vars, stack, d),
            Sel::Spread(f) => {
                // A fragment spreading itself is invalid GraphQL; never loop on it.
                if let Some(inner) = doc.fragments.get(f) {
                    if stack.insert(f.clone()) {
                        walk(doc, inner, mult, vars, stack, d);
                        stack.remove(f);
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Int(i64),
    Other(String),
    Punct(char),
    Spread,
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser {
            toks: tokens(text),
            at: 0,
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        match self.next() {
            Some(Tok::Punct(p)) if p == c => Ok(()),
            other => Err(format!("expected `{c}`, found {other:?}")),
        }
    }

    fn document(&mut self) -> Result<Doc, String> {
        let mut doc = Doc::default();
        while let Some(t) = self.peek().cloned() {
            match t {
                Tok::Punct('{') => doc.operations.push(self.selection_set()?),
                Tok::Name(n) if n == "fragment" => {
                    self.next();
                    let Some(Tok::Name(name)) = self.next() else {
                        return Err("a fragment without a name".into());
                    };
                    self.skip_until_selection()?;
                    let items = self.selection_set()?;
                    doc.fragments.insert(name, items);
                }
                Tok::Name(_) => {
                    // query/mutation/subscription [Name] [(variables)] [@directives] { … }
                    self.skip_until_selection()?;
                    doc.operations.push(self.selection_set()?);
                }
                other => return Err(format!("unexpected {other:?} at the top level")),
            }
        }
        Ok(doc)
    }

    /// Skips names, `on Type`, variable definitions and directives up to a `{`.
    fn skip_until_selection(&mut self) -> Result<(), String> {
        loop {
            match self.peek() {
                Some(Tok::Punct('{')) => return Ok(()),
                Some(Tok::Punct('(')) => self.skip_balanced('(', ')')?,
                Some(_) => {
                    self.next();
                }
                None => return Err("a definition without a selection".into()),
            }
        }
    }

    fn skip_balanced(&mut self, open: char, close: char) -> Result<(), String> {
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match t {
                Tok::Punct(c) if c == open => depth += 1,
                Tok::Punct(c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(format!("unbalanced `{open}`"))
    }

    fn selection_set(&mut self) -> Result<Vec<Sel>, String> {
        self.expect('{')?;
        let mut items = Vec::new();
        loop {
            match self.peek().cloned() {
                Some(Tok::Punct('}')) => {
                    self.next();
                    return Ok(items);
                }
                Some(Tok::Spread) => {
                    self.next();
                    match self.peek().cloned() {
                        Some(Tok::Name(n)) if n != "on" => {
                            self.next();
                            self.skip_directives()?;
                            items.push(Sel::Spread(n));
                        }
                        _ => {
                            self.skip_until_selection()?;
                            items.push(Sel::Inline(self.selection_set()?));
                        }
                    }
                }
                Some(Tok::Name(_)) => items.push(self.field()?),
                other => return Err(format!("unexpected {other:?} in a selection")),
            }
        }
    }

    fn skip_directives(&mut self) -> Result<(), String> {
        while self.peek() == Some(&Tok::Punct('@')) {
            self.next();
            self.next();
            if self.peek() == Some(&Tok::Punct('(')) {
                self.skip_balanced('(', ')')?;
            }
        }
        Ok(())
    }

    fn field(&mut self) -> Result<Sel, String> {
        let Some(Tok::Name(mut name)) = self.next() else {
            return Err("a field without a name".into());
        };
        if self.peek() == Some(&Tok::Punct(':')) {
            self.next();
            match self.next() {
                Some(Tok::Name(n)) => name = n,
                other => return Err(format!("an alias of {other:?}")),
            }
        }
        let mut bound = None;
        if self.peek() == Some(&Tok::Punct('(')) {
            bound = self.arguments()?;
        }
        self.skip_directives()?;
        let items = if self.peek() == Some(&Tok::Punct('{')) {
            self.selection_set()?
        } else {
            Vec::new()
        };
        Ok(Sel::Field { name, bound, items })
    }

    /// The arguments; returns `first` (else `last`) when given.
    fn arguments(&mut self) -> Result<Option<Bound>, String> {
        self.expect('(')?;
        let (mut first, mut last) = (None, None);
        loop {
            match self.next() {
                Some(Tok::Punct(')')) => return Ok(first.or(last)),
                Some(Tok::Name(arg)) => {
                    self.expect(':')?;
                    let value = match self.peek().cloned() {
                        Some(Tok::Int(n)) => {
                            self.next();
                            Some(Bound::Int(n))
                        }
                        Some(Tok::Punct('$')) => {
                            self.next();
                            match self.next() {
                                Some(Tok::Name(v)) => Some(Bound::Var(v)),
                                other => return Err(format!("a variable named {other:?}")),
                            }
                        }
                        Some(Tok::Punct('[')) => {
                            self.skip_balanced('[', ']')?;
                            None
                        }
                        Some(Tok::Punct('{')) => {
                            self.skip_balanced('{', '}')?;
                            None
                        }
                        Some(_) => {
                            self.next();
                            None
                        }
                        None => return Err("arguments without an end".into()),
                    };
                    match arg.as_str() {
                        "first" => first = value,
                        "last" => last = value,
                        _ => {}
                    }
                }
                other => return Err(format!("unexpected {other:?} in arguments")),
            }
        }
    }
}

/// GraphQL's lexical tokens, commas and comments dropped; strings and floats as `Other`.
fn tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() || c == ',' || c == '\u{feff}' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                out.push(Tok::Spread);
                i += 3;
            }
            '"' => {
                let block = chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"');
                let start = i;
                if block {
                    i += 3;
                    while i < chars.len()
                        && !(chars[i] == '"'
                            && chars.get(i + 1) == Some(&'"')
                            && chars.get(i + 2) == Some(&'"'))
                    {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                out.push(Tok::Other(
                    chars[start..i.min(chars.len())].iter().collect(),
                ));
            }
            c if c == '-' || c.is_ascii_digit() => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '+' | '-'))
                {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                out.push(match s.parse() {
                    Ok(n) => Tok::Int(n),
                    Err(_) => Tok::Other(s),
                });
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Name(chars[start..i].iter().collect()));
            }
            c => {
                out.push(Tok::Punct(c));
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn d(doc: &str) -> Demand {
        demand(doc, &json!({})).unwrap()
    }

    #[test]
    fn githubs_worked_examples() {
        // GitHub's docs: 50 repositories × 10 issues = 550 nodes.
        let simple = "query { viewer { repositories(first: 50) { edges { repository: node { name
            issues(first: 10) { totalCount edges { node { title bodyHTML } } } } } } } }";
        assert_eq!(
            d(simple),
            Demand {
                requests: 51,
                nodes: 550
            }
        );
        assert_eq!(d(simple).cost(), 1);
        // GitHub's second example: 50 + 50×20 + 50×20×10 + 50×20 + 50×20×10 + 10 = 22,060.
        let complex = "query { viewer { repositories(first: 50) { edges { repository: node { name
            pullRequests(first: 20) { edges { pullRequest: node { title
              comments(first: 10) { edges { comment: node { bodyHTML } } } } } }
            issues(first: 20) { totalCount edges { issue: node { title bodyHTML
              comments(first: 10) { edges { comment: node { bodyHTML } } } } } } } } }
            followers(first: 10) { edges { follower: node { login } } } } }";
        assert_eq!(d(complex).nodes, 22_060);
    }

    #[test]
    fn commit_history_counts_also_through_fragments_and_variables() {
        let doc = r#"
            # a comment with { braces } and "quotes"
            query Ancestry($u0: GitObjectID!, $n: Int = 30) {
              rateLimit { cost limit remaining resetAt }
              u0: repository(owner: "a", name: "b, c") { head: object(oid: $u0) { ...UpstreamHistory } }
              f0: repository(owner: "d", name: "e") { head: object(expression: "HEAD") { ... on Commit { history(first: 1) { totalCount } } } }
              v: repository(owner: "x", name: "y") { object(expression: "HEAD") { ... on Commit @include(if: true) { history(last: $n) { nodes { oid } } } } }
            }
            fragment UpstreamHistory on GitObject { ... on Commit { history(first: 100) { totalCount nodes { oid committedDate } } } }
        "#;
        assert_eq!(
            demand(doc, &json!({"n": 30})).unwrap(),
            Demand {
                requests: 3,
                nodes: 131
            }
        );
        // An unset variable asks for nothing known: the connection still costs a request.
        assert_eq!(demand(doc, &json!({})).unwrap().nodes, 101);
    }

    #[test]
    fn a_connection_asked_only_for_its_count_costs_a_request_but_no_node() {
        let doc = r#"{ repository(owner: "a", name: "b") {
            pullRequests(states: [OPEN]) { totalCount }
            vulnerabilityAlerts(states: OPEN) { totalCount }
            workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name } } }
            repositoryTopics(first: 10) { nodes { topic { name } } } } }"#;
        assert_eq!(
            d(doc),
            Demand {
                requests: 3,
                nodes: 10
            }
        );
    }

    #[test]
    fn our_batches_ask_what_the_sandbox_counts() {
        use crate::github::{ancestry, graphql, AncestryAsk, RepoQuery};
        let ask = AncestryAsk {
            repo: "me/app".parse().unwrap(),
            head: crate::ids::Oid::parse(&"f".repeat(40)).unwrap(),
            upstream: "up/app".parse().unwrap(),
            upstream_head: crate::ids::Oid::parse(&"a".repeat(40)).unwrap(),
        };
        let q = ancestry::build(&vec![ask; 50]);
        let a = demand(&q.query, &q.variables).unwrap();
        assert_eq!(
            a,
            Demand {
                requests: 100,
                nodes: 5_500
            }
        );
        assert_eq!(a.millis(), 5_950);
        assert!(a.fits(), "50 forks: the default batch fits");
        let repo = |sync_pr| RepoQuery {
            branches: Vec::new(),
            branch_sync_prs: Vec::new(),
            repo: "me/app".parse().unwrap(),
            branch: None,
            upstream: None,
            sync_pr,
        };
        let plain = graphql::build(&[repo(None)], None);
        let with_pr = graphql::build(&[repo(Some(3))], None);
        assert_eq!(
            demand(&plain.query, &plain.variables).unwrap(),
            Demand {
                requests: 3,
                nodes: 10
            }
        );
        assert_eq!(
            demand(&with_pr.query, &with_pr.variables).unwrap(),
            Demand {
                requests: 4,
                nodes: 30
            }
        );
    }

    #[test]
    fn batches_fill_up_to_the_targets_and_the_users_bound() {
        let fork = Demand {
            requests: 2,
            nodes: 101,
        };
        // 100 forks a batch would be 11.1 s under the model: 54 fit 6 s.
        assert_eq!(batch_sizes(&vec![fork; 100], 100), vec![54, 46]);
        // The user's bound wins when it is smaller.
        assert_eq!(batch_sizes(&vec![fork; 120], 50), vec![50, 50, 20]);
        // Repositories without history: 100 fit.
        let repo = Demand {
            requests: 3,
            nodes: 10,
        };
        assert_eq!(batch_sizes(&vec![repo; 150], 100), vec![100, 50]);
        // An item too big alone still goes, alone.
        let huge = Demand {
            requests: 1,
            nodes: NODE_TARGET + 1,
        };
        assert_eq!(batch_sizes(&[repo, huge, repo], 100), vec![1, 1, 1]);
        assert_eq!(batch_sizes(&[], 100), Vec::<usize>::new());
        // 550 ms each under the model: 10 fit 6 s (and 6,000 nodes).
        let wide = Demand {
            requests: 1,
            nodes: 600,
        };
        assert_eq!(batch_sizes(&vec![wide; 20], 100), vec![10, 10]);
    }

    #[test]
    fn bad_documents_say_what_is_wrong() {
        assert!(demand("{ repository(owner: \"a\"", &json!({})).is_err());
        assert!(demand("fragment { x }", &json!({})).is_err());
    }
}
