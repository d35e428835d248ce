//! `grammars/units.yaml`. (placeholder, filled in by the extraction work)

use serde::Deserialize;

use crate::error::GrammarError;

/// Compiled `units.yaml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Units {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {}

pub(super) fn compile(file: &str, yaml: &str) -> Result<Units, GrammarError> {
    let _parsed: File = super::parse(file, yaml)?;
    Ok(Units {})
}
