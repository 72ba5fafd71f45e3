//! Cron expressions as GitHub Actions reads them in `on.schedule[].cron`: the spacing
//! normalised (the inventory's `schedules` and the event payload are compared that way), and
//! each of the five fields checked against its range.
//!
//! The syntax is GitHub's documented one (Docs, "Events that trigger workflows" → `schedule`):
//! POSIX cron with five fields — minute 0-59, hour 0-23, day of the month 1-31, month 1-12 or
//! JAN-DEC, day of the week 0-6 or SUN-SAT — and the operators `*` (any value), `,` (a list),
//! `-` (a range) and `/` (a step). Day of the week 7 is not in GitHub's range, so it is refused.

/// Collapses runs of whitespace so `0  */2 * * *` and `0 */2 * * *` are one schedule.
pub fn normalize(cron: &str) -> String {
    cron.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One field of a cron expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// As messages name it (`day of the week`).
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
    /// Names accepted for `min`, `min + 1`, … (case-insensitive); empty: numbers only.
    pub names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// The five fields, in order.
pub const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of the month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Field {
        name: "day of the week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

impl Field {
    /// What the field takes: `0-59`, `1-12 or JAN-DEC`.
    pub fn range(&self) -> String {
        match (self.names.first(), self.names.last()) {
            (Some(first), Some(last)) => {
                format!("{}-{} or {first}-{last}", self.min, self.max)
            }
            _ => format!("{}-{}", self.min, self.max),
        }
    }

    /// A single value: a number in range or one of the names.
    fn value(&self, text: &str) -> Result<u32, String> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(self.min + i as u32);
        }
        match text.parse::<u32>() {
            Ok(n) if (self.min..=self.max).contains(&n) => Ok(n),
            Ok(_) => Err(format!(
                "is out of range: {} takes {}",
                self.name,
                self.range()
            )),
            Err(_) if text.chars().all(|c| c.is_ascii_digit()) && !text.is_empty() => Err(format!(
                "is out of range: {} takes {}",
                self.name,
                self.range()
            )),
            Err(_) => Err(format!(
                "is not a {}: {} takes {}",
                if self.names.is_empty() {
                    "number"
                } else {
                    "number or a name"
                },
                self.name,
                self.range()
            )),
        }
    }

    /// One item of a list: `*`, `v`, `a-b`, each optionally `/step`.
    fn item(&self, item: &str) -> Result<(), String> {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (item, None),
        };
        let quote = |t: &str| format!("`{}`", crate::repo_name::printable(t));
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n >= 1 && n <= self.max.max(1) => {}
                _ => {
                    return Err(format!(
                        "step {} in {} is not a whole number from 1 to {}",
                        quote(step),
                        quote(item),
                        self.max.max(1)
                    ))
                }
            }
        }
        if base == "*" {
            return Ok(());
        }
        let (from, to) = match base.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (base, None),
        };
        let from = self
            .value(from)
            .map_err(|e| format!("{} {e}", quote(from)))?;
        if let Some(to) = to {
            let to_n = self.value(to).map_err(|e| format!("{} {e}", quote(to)))?;
            if to_n < from {
                return Err(format!(
                    "range {} goes backwards; write the smaller value first",
                    quote(base)
                ));
            }
        }
        Ok(())
    }
}

/// Why a cron expression is not one GitHub Actions accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    /// The field at fault; `None` when the expression does not have five fields.
    pub field: Option<&'static str>,
    /// What is wrong: the field, the value and what the field takes.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// Checks a cron expression field by field (see the module's documentation for the syntax).
pub fn check(cron: &str) -> Result<(), CronError> {
    let normal = normalize(cron);
    let fields: Vec<&str> = normal.split(' ').filter(|f| !f.is_empty()).collect();
    if fields.len() != FIELDS.len() {
        return Err(CronError {
            field: None,
            message: format!(
                "`{}` is not a five-field cron expression (it has {})",
                crate::repo_name::printable(cron),
                fields.len()
            ),
            hint: "write it exactly as in the workflow's `on.schedule[].cron`: minute hour day-of-month month day-of-week, e.g. `0 */2 * * *`".into(),
        });
    }
    for (text, field) in fields.iter().zip(FIELDS.iter()) {
        for item in text.split(',') {
            if let Err(why) = field.item(item) {
                return Err(CronError {
                    field: Some(field.name),
                    message: format!(
                        "{} `{}`: {why}",
                        field.name,
                        crate::repo_name::printable(text)
                    ),
                    hint: format!(
                        "the {} takes {}, `*`, lists `a,b`, ranges `a-b` and steps `*/n` (GitHub's cron syntax); write it as in the workflow's `on.schedule[].cron`",
                        field.name,
                        field.range()
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_collapses_whitespace() {
        assert_eq!(normalize(" 0  */6 * *\t* "), "0 */6 * * *");
    }

    /// GitHub Docs, "Events that trigger workflows" → `schedule`: five POSIX cron fields,
    /// minute 0-59, hour 0-23, day of the month 1-31, month 1-12 or JAN-DEC, day of the week
    /// 0-6 or SUN-SAT, with `*`, `,`, `-` and `/`.
    #[test]
    fn what_github_documents_is_accepted() {
        for ok in [
            "0 */2 * * *",
            "0 */6 * * *",
            "0 2 * * 0",
            "59 23 31 12 6",
            "0 0 1 1 *",
            "*/15 * * * *",
            "30 5,17 * * *",
            "0 9 * * 1-5",
            "0 14-23/2 * * MON-FRI",
            "0 0 1 jan,Jul sun",
            "5/10 * * * *",
            "0 0 * DEC SAT",
            "0  2 * *  0",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn each_field_is_checked_against_its_range() {
        // (expression, field at fault, words the message must carry)
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            ("61 2 * * *", Some("minute"), &["`61`", "0-59"]),
            ("0 24 * * *", Some("hour"), &["`24`", "0-23"]),
            ("0 2 0 * *", Some("day of the month"), &["`0`", "1-31"]),
            ("0 2 32 * *", Some("day of the month"), &["`32`", "1-31"]),
            ("0 2 * 13 *", Some("month"), &["`13`", "1-12 or JAN-DEC"]),
            (
                "0 2 * FOO *",
                Some("month"),
                &["`FOO`", "not a number or a name"],
            ),
            (
                "0 2 * * 8",
                Some("day of the week"),
                &["`8`", "0-6 or SUN-SAT"],
            ),
            ("0 2 * * 7", Some("day of the week"), &["`7`", "0-6"]),
            ("0 2 * * SUN-FUN", Some("day of the week"), &["`FUN`"]),
            ("*/0 * * * *", Some("minute"), &["step `0`", "1 to 59"]),
            ("*/x * * * *", Some("minute"), &["step `x`"]),
            ("0 5-2 * * *", Some("hour"), &["`5-2`", "backwards"]),
            ("0 1,,2 * * *", Some("hour"), &["``", "not a number"]),
            ("0 -1 * * *", Some("hour"), &["not a number"]),
            ("0 2 * *", None, &["five-field", "it has 4"]),
            ("every hour", None, &["five-field"]),
            ("0 2 * * * *", None, &["it has 6"]),
            ("@weekly", None, &["five-field"]),
        ];
        for (cron, field, words) in cases {
            let e = check(cron).expect_err(cron);
            assert_eq!(e.field, *field, "{cron}: {e:?}");
            for w in *words {
                assert!(e.message.contains(w), "{cron}: `{w}` not in {}", e.message);
            }
            if let Some(f) = field {
                assert!(e.message.starts_with(f), "{cron}: {}", e.message);
                assert!(e.hint.contains(f), "{cron}: {}", e.hint);
            }
            assert!(e.hint.contains("on.schedule[].cron"), "{}", e.hint);
        }
    }

    #[test]
    fn hostile_values_are_shown_escaped() {
        let e = check("0 2 * * 1\n::warning::x").expect_err("not five fields");
        assert!(!e.message.contains('\n'), "{}", e.message);
        let e = check("0 2 * * \u{1b}[31m").expect_err("bad day");
        assert!(!e.message.contains('\u{1b}'), "{}", e.message);
    }
}
