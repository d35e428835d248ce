//! `grammars/agencies.yaml`. (placeholder, filled in by the extraction work)

use serde::Deserialize;

use crate::error::GrammarError;

/// Compiled `agencies.yaml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gazetteer {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {}

pub(super) fn compile(file: &str, yaml: &str) -> Result<Gazetteer, GrammarError> {
    let _parsed: File = super::parse(file, yaml)?;
    Ok(Gazetteer {})
}
