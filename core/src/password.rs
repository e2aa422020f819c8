//! (in progress)
/// A password criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Criterion {
    /// At least N characters.
    MinLength,
    /// At least one digit.
    Digit,
}
impl Criterion {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Criterion::MinLength => "min_length",
            Criterion::Digit => "digit",
        }
    }
}
