//! The one template environment every report renders through, so escaping is decided by the
//! output format (HTML/SVG auto-escape, markdown escape for the job summary) and never by
//! whoever writes a template line.

use std::sync::OnceLock;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, Error, State, UndefinedBehavior, Value};

use super::escape;

/// Auto-escape mode for `*.md` templates: every printed value goes through
/// [`escape::markdown`] unless the template marks it `|safe`.
const MARKDOWN: &str = "markdown";

pub(crate) const SUMMARY: &str = "summary.md";
pub(crate) const DASHBOARD: &str = "dashboard.html";
pub(crate) const BADGE: &str = "badge.svg";

/// The shared environment with the embedded templates.
pub(crate) fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(build)
}

fn build() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("static syntax config is valid"),
    );
    // A template that names a missing field is a bug: fail the render instead of printing "".
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(auto_escape_for);
    env.set_formatter(format_value);
    env.add_filter("count_of", count_of);
    for (name, source) in [
        (SUMMARY, include_str!("templates/summary.md")),
        (DASHBOARD, include_str!("templates/dashboard.html")),
        (BADGE, include_str!("templates/badge.svg")),
    ] {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("embedded template {name} does not parse: {e:#}"));
    }
    env
}

fn auto_escape_for(name: &str) -> AutoEscape {
    if name.ends_with(".md") {
        AutoEscape::Custom(MARKDOWN.into())
    } else if name.ends_with(".html") || name.ends_with(".svg") {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}

fn format_value(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), Error> {
    match state.auto_escape() {
        AutoEscape::Custom(name) if name == MARKDOWN => {
            if value.is_safe() {
                write!(out, "{value}")?;
            } else if !value.is_none() {
                out.write_str(&escape::markdown(&value.to_string()))?;
            }
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `{{ n|count_of("run") }}` → `1 run`, `2 runs`, `10,000 runs`; an irregular plural is the
/// second argument: `{{ n|count_of("repository", "repositories") }}`.
fn count_of(n: u64, one: &str, many: Option<&str>) -> String {
    let word = if n == 1 {
        one.to_string()
    } else {
        many.map_or_else(|| format!("{one}s"), str::to_string)
    };
    format!("{} {word}", super::view::thousands(n))
}

/// Renders a template with a serializable context.
pub(crate) fn render<C: serde::Serialize>(template: &str, ctx: &C) -> Result<String, Error> {
    env()
        .get_template(template)?
        .render(Value::from(minijinja::value::Serde(ctx)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_templates_escape_values_and_html_templates_html_escape_them() {
        let env = env();
        let hostile = "<img src=x onerror=alert(1)>|`x`";
        let md = env
            .render_named_str("t.md", "| {{ v }} |", minijinja::context! { v => hostile })
            .unwrap();
        assert_eq!(
            md,
            "| &lt;img src=x onerror=alert(1)&gt;&#124;&#96;x&#96; |"
        );
        let html = env
            .render_named_str(
                "t.html",
                "<p>{{ v }}</p>",
                minijinja::context! { v => hostile },
            )
            .unwrap();
        assert!(html.starts_with("<p>&lt;img src=x"), "{html}");
        assert!(!html[3..].contains('<') || html.ends_with("</p>"));
        assert_eq!(html.matches('<').count(), 2, "{html}");
    }

    #[test]
    fn count_of_pluralises() {
        let r = |src: &str| env().render_named_str("t.md", src, ()).unwrap();
        assert_eq!(r("{{ 1|count_of('run') }}"), "1 run");
        assert_eq!(r("{{ 0|count_of('run') }}"), "0 runs");
        assert_eq!(
            r("{{ 10000|count_of('repository', 'repositories') }}"),
            "10,000 repositories"
        );
    }

    #[test]
    fn strict_undefined_fails_the_render() {
        assert!(env()
            .render_named_str("t.html", "{{ missing }}", ())
            .is_err());
    }

    #[test]
    fn embedded_templates_parse() {
        for name in [SUMMARY, DASHBOARD, BADGE] {
            env().get_template(name).unwrap();
        }
    }
}
