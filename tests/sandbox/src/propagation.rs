//! New commits reach the rest of their fork network late (`Behaviour::propagation_ms`): a
//! commit made while the sandbox runs is usable at once in the repository it was made in, and
//! in the network's other repositories only once it is old enough, never when a test said so
//! (`Sandbox::never_propagate`), and at once in a fork that a merge-upstream brought it into.
//! Commits of the generated fleet are everywhere from the start. The ref routes ask here before
//! they let a repository point at a commit.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use git2::Oid;

/// One commit made while the sandbox runs.
#[derive(Clone, Copy, Debug)]
struct Born {
    net: usize,
    /// The repository it was made in (usable there at once).
    repo_id: u64,
    at: Instant,
    /// Waits for a merge-upstream, however old it gets.
    never: bool,
}

/// Which new commits each repository can use yet.
#[derive(Default)]
pub struct Propagation {
    born: HashMap<Oid, Born>,
    /// (repository id, commit) pairs a merge-upstream brought in.
    fetched: HashSet<(u64, Oid)>,
}

impl Propagation {
    /// Records a commit made in repository `repo_id` of network `net` (the first record wins).
    pub fn made(&mut self, net: usize, repo_id: u64, oid: Oid) {
        self.born.entry(oid).or_insert(Born {
            net,
            repo_id,
            at: Instant::now(),
            never: false,
        });
    }

    /// Makes a recorded commit wait for a merge-upstream in each other repository; false when
    /// the commit was not made while the sandbox runs (generated commits are everywhere).
    pub fn never(&mut self, oid: Oid) -> bool {
        match self.born.get_mut(&oid) {
            Some(b) => {
                b.never = true;
                true
            }
            None => false,
        }
    }

    /// The commits of network `net` that repository `repo_id` cannot use yet, `delay` being
    /// how long a commit takes to reach the network. Commits every repository can use are
    /// forgotten on the way.
    pub fn not_yet_in(&mut self, net: usize, repo_id: u64, delay: Duration) -> Vec<Oid> {
        let now = Instant::now();
        self.born
            .retain(|_, b| b.never || now.duration_since(b.at) < delay);
        let fetched = &self.fetched;
        self.born
            .iter()
            .filter(|(oid, b)| {
                b.net == net && b.repo_id != repo_id && !fetched.contains(&(repo_id, **oid))
            })
            .map(|(oid, _)| *oid)
            .collect()
    }

    /// A merge-upstream brought `oids` into repository `repo_id`: usable there from now on.
    pub fn fetched_into(&mut self, repo_id: u64, oids: impl IntoIterator<Item = Oid>) {
        self.fetched.extend(oids.into_iter().map(|o| (repo_id, o)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn a_new_commit_waits_elsewhere_in_its_network_only() {
        let mut p = Propagation::default();
        p.made(0, 1, oid(1));
        let long = Duration::from_secs(3600);
        assert_eq!(p.not_yet_in(0, 2, long), vec![oid(1)], "another fork waits");
        assert!(
            p.not_yet_in(0, 1, long).is_empty(),
            "where it was made: at once"
        );
        assert!(
            p.not_yet_in(1, 2, long).is_empty(),
            "another network: not ours to say"
        );
        assert!(
            p.not_yet_in(0, 2, Duration::ZERO).is_empty(),
            "0 ms: at once"
        );
        assert!(p.born.is_empty(), "a commit everyone can use is forgotten");
    }

    #[test]
    fn never_waits_for_a_merge_upstream_in_that_fork() {
        let mut p = Propagation::default();
        p.made(0, 1, oid(1));
        assert!(p.never(oid(1)));
        assert!(!p.never(oid(9)), "a generated commit is everywhere already");
        assert_eq!(p.not_yet_in(0, 2, Duration::ZERO), vec![oid(1)]);
        p.fetched_into(2, [oid(1)]);
        assert!(p.not_yet_in(0, 2, Duration::ZERO).is_empty());
        assert_eq!(p.not_yet_in(0, 3, Duration::ZERO), vec![oid(1)]);
    }
}
