//! Vietnamese number and money writing: "." groups thousands, "," is the decimal mark, though
//! sources mix them. Shared by prose budgets and budget tables.
