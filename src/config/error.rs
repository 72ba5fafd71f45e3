//! What is wrong with an inventory: each problem with its place (line, column where known, and
//! the path in the document) and a fix, and the one error that lists them all, in the order the
//! user reads the file.

use std::fmt;

/// One thing wrong with the inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    /// The column (1-based), where the parser knows it (syntax errors).
    pub column: Option<usize>,
    /// Where in the document (`repositories[3].branch`); empty for the whole document.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Every problem found in one inventory file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{} has {} problem{}; nothing was synced:",
            self.file,
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            let at = match p.line {
                Some(line) => format!("{}:{}", self.file, line),
                None => self.file.clone(),
            };
            if p.path.is_empty() {
                writeln!(f, "  {at}: {}", p.message)?;
            } else {
                writeln!(f, "  {at}: {}: {}", p.path, p.message)?;
            }
            if let Some(hint) = &p.hint {
                writeln!(f, "      fix: {hint}")?;
            }
        }
        Ok(())
    }
}
