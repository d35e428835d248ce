//! Agencies (cơ quan): recognising and splitting agency names with the gazetteer.

use crate::grammar::Grammar;

/// Finds agencies in text: gazetteer names and aliases (longest match), and unknown names by
/// their pattern ("Sở …", "Ban …").
#[derive(Debug, Clone)]
pub struct AgencyMatcher {}

impl AgencyMatcher {
    /// Build the matcher for `grammar`'s gazetteer.
    pub fn new(grammar: &Grammar) -> Self {
        let _ = grammar;
        AgencyMatcher {}
    }
}
