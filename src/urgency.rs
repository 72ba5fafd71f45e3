//! The urgency score, tier and ranking of SPEC §3, as pure functions with their reasons.

use chrono::{DateTime, Utc};

use crate::config::{Rules, Weights};
use crate::facts::RepoFacts;
use crate::repo_name::RepoName;

/// A repository's urgency: its score, its tier and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urgency {
    pub score: i64,
    /// 2 = open security alerts; 1 = far behind or stale; 0 = the rest.
    pub tier: u8,
    /// Each non-zero term, e.g. "50 commits behind: +500", "stale 34 days: +50".
    pub reasons: Vec<String>,
}

fn plural(n: u32, one: &str, many: &str) -> String {
    crate::plural::count(n, one, many)
}

/// `score = 10·behind + 5·days + 3·open_prs + 50·alerts + 20·connected + 10·workflows
/// + 50·[days > 30] + 10·new_prs` with the given weights (SPEC §3).
pub fn urgency(f: &RepoFacts, w: &Weights, rules: &Rules) -> Urgency {
    let stale = f.days_since_last_sync > rules.stale_after_days;
    let terms: [(i64, i64, String); 8] = [
        (
            f.commits_behind.into(),
            w.commits_behind,
            plural(f.commits_behind, "commit behind", "commits behind"),
        ),
        (
            f.days_since_last_sync.into(),
            w.days_since_last_sync,
            plural(
                f.days_since_last_sync,
                "day since last sync",
                "days since last sync",
            ),
        ),
        (
            f.open_prs.into(),
            w.open_prs,
            plural(f.open_prs, "open PR", "open PRs"),
        ),
        (
            f.security_alerts.into(),
            w.security_alerts,
            plural(f.security_alerts, "security alert", "security alerts"),
        ),
        (f.connected.into(), w.connected, "hub-connected".to_string()),
        (
            f.has_workflows.into(),
            w.has_workflows,
            "has workflows".to_string(),
        ),
        (
            stale.into(),
            w.stale,
            format!("stale {} days", f.days_since_last_sync),
        ),
        (
            f.new_prs.into(),
            w.new_prs,
            plural(f.new_prs, "new PR since last run", "new PRs since last run"),
        ),
    ];
    let mut score = 0i64;
    let mut reasons = Vec::new();
    for (count, weight, label) in terms {
        let points = count.saturating_mul(weight);
        if points != 0 {
            score = score.saturating_add(points);
            reasons.push(format!("{label}: +{points}"));
        }
    }
    Urgency {
        score,
        tier: tier(f, rules),
        reasons,
    }
}

/// Tier of SPEC §3: 2 = open security alerts; 1 = more than `urgent_over_commits` behind or
/// more than `stale_after_days` since the last sync; else 0.
pub fn tier(f: &RepoFacts, rules: &Rules) -> u8 {
    if f.security_alerts > 0 {
        2
    } else if f.commits_behind > rules.urgent_over_commits
        || f.days_since_last_sync > rules.stale_after_days
    {
        1
    } else {
        0
    }
}

/// Orders repositories by `(tier desc, score desc, owner/name asc)`; names compare ignoring
/// case (the [`RepoName`] order), so `A/x` and `a/x` spellings rank alike.
pub fn rank<T>(items: &mut [T], key: impl Fn(&T) -> (&RepoName, u8, i64)) {
    items.sort_by(|a, b| {
        let (ra, ta, sa) = key(a);
        let (rb, tb, sb) = key(b);
        tb.cmp(&ta).then(sb.cmp(&sa)).then_with(|| ra.cmp(rb))
    });
}

/// Whole days since the repository was last known in sync (SPEC §3): 0 when it is in sync now;
/// else days since `last_in_sync` from state; with no state, the age of the oldest upstream
/// commit it lacks; 0 when nothing is known.
pub fn days_since_last_sync(
    now: DateTime<Utc>,
    in_sync_now: bool,
    last_in_sync: Option<DateTime<Utc>>,
    oldest_missing_commit: Option<DateTime<Utc>>,
) -> u32 {
    if in_sync_now {
        return 0;
    }
    let since = last_in_sync.or(oldest_missing_commit);
    since
        .map(|t| (now - t).num_days().clamp(0, u32::MAX as i64) as u32)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts(name: &str) -> RepoFacts {
        let mut f = RepoFacts::unknown(name.parse().unwrap());
        f.accessible = true;
        f
    }

    fn score_of(f: &RepoFacts) -> Urgency {
        urgency(f, &Weights::default(), &Rules::default())
    }

    #[test]
    fn the_sources_high_urgency_example_is_661() {
        // celestial-payroll: 50 behind, 15 days, 2 PRs, 1 alert, connected, has workflows.
        // The source prints 711, but its own terms add up to 500+75+6+50+20+10 = 661.
        let mut f = facts("heyns1000/celestial-payroll");
        f.commits_behind = 50;
        f.days_since_last_sync = 15;
        f.open_prs = 2;
        f.security_alerts = 1;
        f.connected = true;
        f.has_workflows = true;
        let u = score_of(&f);
        assert_eq!(u.score, 661);
        assert_eq!(u.tier, 2);
        assert_eq!(
            u.reasons,
            [
                "50 commits behind: +500",
                "15 days since last sync: +75",
                "2 open PRs: +6",
                "1 security alert: +50",
                "hub-connected: +20",
                "has workflows: +10"
            ]
        );
    }

    #[test]
    fn the_sources_medium_example_is_98() {
        let mut f = facts("heyns1000/learning-mesh");
        f.commits_behind = 5;
        f.days_since_last_sync = 7;
        f.open_prs = 1;
        f.has_workflows = true;
        let u = score_of(&f);
        assert_eq!(u.score, 98);
        assert_eq!(u.tier, 0);
    }

    #[test]
    fn the_sources_low_example_is_20() {
        let mut f = facts("heyns1000/cache-manager");
        f.days_since_last_sync = 2;
        f.has_workflows = true;
        assert_eq!(score_of(&f).score, 20);
    }

    #[test]
    fn stale_boost_and_new_prs() {
        let mut f = facts("a/b");
        f.days_since_last_sync = 34;
        f.new_prs = 1;
        let u = score_of(&f);
        assert_eq!(u.score, 34 * 5 + 50 + 10);
        assert!(u.reasons.contains(&"stale 34 days: +50".to_string()));
        assert!(u
            .reasons
            .contains(&"1 new PR since last run: +10".to_string()));
        assert_eq!(u.tier, 1);
        // Exactly 30 days is not stale.
        f.days_since_last_sync = 30;
        assert_eq!(score_of(&f).tier, 0);
        assert!(!score_of(&f).reasons.iter().any(|r| r.starts_with("stale")));
    }

    #[test]
    fn tiers_follow_the_thresholds() {
        let rules = Rules::default();
        let mut f = facts("a/b");
        f.commits_behind = 50;
        assert_eq!(tier(&f, &rules), 0);
        f.commits_behind = 51;
        assert_eq!(tier(&f, &rules), 1);
        f.security_alerts = 1;
        assert_eq!(tier(&f, &rules), 2);
    }

    #[test]
    fn custom_weights_change_the_score() {
        let mut f = facts("a/b");
        f.commits_behind = 3;
        let w = Weights {
            commits_behind: 100,
            ..Weights::default()
        };
        assert_eq!(urgency(&f, &w, &Rules::default()).score, 300);
        let zero = Weights {
            commits_behind: 0,
            ..Weights::default()
        };
        let u = urgency(&f, &zero, &Rules::default());
        assert_eq!(u.score, 0);
        assert!(u.reasons.is_empty());
    }

    #[test]
    fn ranking_orders_by_tier_then_score_then_name() {
        let mut items = vec![
            ("z/high-score", 0u8, 900i64),
            ("b/alert", 2, 60),
            ("a/tie", 1, 100),
            ("A/alert-big", 2, 500),
            ("c/tie", 1, 100),
            ("b/tie", 1, 100),
        ]
        .into_iter()
        .map(|(n, t, s)| (n.parse::<RepoName>().unwrap(), t, s))
        .collect::<Vec<_>>();
        rank(&mut items, |(r, t, s)| (r, *t, *s));
        let order: Vec<String> = items.iter().map(|(r, ..)| r.to_string()).collect();
        assert_eq!(
            order,
            [
                "A/alert-big",
                "b/alert",
                "a/tie",
                "b/tie",
                "c/tie",
                "z/high-score"
            ]
        );
    }

    #[test]
    fn equal_scores_order_by_name_ignoring_case() {
        // Byte order would put every upper-case owner first ("A/…", "B/…", "a/…"); the
        // documented order compares `owner/name` case-insensitively, as GitHub does.
        let mut items = ["b/Zeta", "B/alpha", "a/Middle", "A/beta", "a/middle-2"]
            .into_iter()
            .map(|n| (n.parse::<RepoName>().unwrap(), 1u8, 100i64))
            .collect::<Vec<_>>();
        rank(&mut items, |(r, t, s)| (r, *t, *s));
        let order: Vec<String> = items.iter().map(|(r, ..)| r.to_string()).collect();
        assert_eq!(
            order,
            ["A/beta", "a/Middle", "a/middle-2", "B/alpha", "b/Zeta"]
        );
        // The spelling does not change the order: the same names in other cases rank alike.
        let mut lower = items
            .iter()
            .rev()
            .map(|(r, t, s)| (r.key().parse::<RepoName>().unwrap(), *t, *s))
            .collect::<Vec<_>>();
        rank(&mut lower, |(r, t, s)| (r, *t, *s));
        let keys: Vec<String> = lower.iter().map(|(r, ..)| r.to_string()).collect();
        assert_eq!(
            keys,
            ["a/beta", "a/middle", "a/middle-2", "b/alpha", "b/zeta"]
        );
    }

    #[test]
    fn days_since_last_sync_sources() {
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
        let d = |days| now - chrono::Duration::days(days);
        assert_eq!(days_since_last_sync(now, true, Some(d(40)), Some(d(90))), 0);
        assert_eq!(
            days_since_last_sync(now, false, Some(d(40)), Some(d(90))),
            40
        );
        assert_eq!(days_since_last_sync(now, false, None, Some(d(90))), 90);
        assert_eq!(days_since_last_sync(now, false, None, None), 0);
        // A clock behind the data never goes negative.
        assert_eq!(days_since_last_sync(d(5), false, Some(now), None), 0);
    }
}
