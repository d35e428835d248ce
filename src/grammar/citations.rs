//! `grammars/citations.yaml`. (placeholder, filled in by the extraction work)

use serde::Deserialize;

use crate::error::GrammarError;

/// Compiled `citations.yaml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct CitationRules {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {}

pub(super) fn compile(file: &str, yaml: &str) -> Result<CitationRules, GrammarError> {
    let _parsed: File = super::parse(file, yaml)?;
    Ok(CitationRules {})
}
