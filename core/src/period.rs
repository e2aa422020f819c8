//! Months (`M/YYYY`) and periods of months, as typed in the document search (seed §3: "1/AAAA",
//! "fin").
//!
//! A [`YearMonth`] is valid by construction: a month 1–12 and a year 1–9999. A [`Period`] is a
//! range of whole months, either end open. The seed's form shows the placeholders `1/AAAA` and
//! `fin`: they are hints, not values, so typing them is an error like any other text that is not
//! `M/YYYY`; an empty (or blank) field leaves its end open.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Date, Month};

/// A calendar month of a year, typed `M/YYYY` or `MM/YYYY` (`1/2024`, `01/2024`).
///
/// Ordered chronologically; displayed `M/YYYY` (month without leading zero, year on four
/// digits), which parses back to the same value; serialised as that string.
///
/// ```
/// use dealer_portal::period::YearMonth;
/// let m: YearMonth = " 03/2024 ".parse().unwrap();
/// assert_eq!((m.year(), m.month()), (2024, 3));
/// assert_eq!(m.to_string(), "3/2024");
/// assert_eq!(m.last_day().to_string(), "2024-03-31");
/// assert_eq!("13/2024".parse::<YearMonth>().unwrap_err().code(), "INVALID_PERIOD");
/// assert_eq!("1/AAAA".parse::<YearMonth>().unwrap_err().code(), "INVALID_PERIOD");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    // Field order matters: the derived `Ord` is chronological.
    year: u16,
    month: u8,
}

fn period_error(reason: impl Into<String>) -> Error {
    Error::InvalidPeriod {
        reason: reason.into(),
    }
}

/// At most this many characters of a rejected input are echoed in an error message.
const ECHO_MAX: usize = 32;

fn echo(input: &str) -> String {
    let mut s: String = input.chars().take(ECHO_MAX).collect();
    if input.chars().nth(ECHO_MAX).is_some() {
        s.push('…');
    }
    s
}

impl YearMonth {
    /// The earliest month that can be represented, `1/0001`.
    pub const MIN: YearMonth = YearMonth { year: 1, month: 1 };
    /// The latest month that can be represented, `12/9999`.
    pub const MAX: YearMonth = YearMonth {
        year: 9999,
        month: 12,
    };

    /// The month `month` (1–12) of `year` (1–9999).
    ///
    /// ```
    /// use dealer_portal::period::YearMonth;
    /// assert_eq!(YearMonth::new(2024, 2).unwrap().to_string(), "2/2024");
    /// assert!(YearMonth::new(0, 1).is_err());
    /// assert!(YearMonth::new(2024, 0).is_err());
    /// ```
    pub fn new(year: u16, month: u8) -> Result<Self> {
        if !(1..=12).contains(&month) {
            return Err(period_error(format!("month {month} is out of range 1-12")));
        }
        if !(1..=9999).contains(&year) {
            return Err(period_error(format!("year {year} is out of range 1-9999")));
        }
        Ok(YearMonth { year, month })
    }

    /// Parses `M/YYYY` or `MM/YYYY`, surrounding whitespace ignored: a month of one or two
    /// digits (1–12), a slash, a year of exactly four digits (0001–9999). Anything else (`1-2024`,
    /// `1/24`, `1/AAAA`, an empty string) is [`Error::InvalidPeriod`].
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        if s.is_empty() {
            return Err(period_error("the month is empty"));
        }
        let Some((m, y)) = s.split_once('/') else {
            return Err(period_error(format!(
                "{:?} has no '/' between the month and the year",
                echo(s)
            )));
        };
        if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(period_error(format!(
                "the month {:?} is not one or two digits",
                echo(m)
            )));
        }
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(period_error(format!(
                "the year {:?} is not four digits (YYYY)",
                echo(y)
            )));
        }
        let month = m.bytes().fold(0u8, |acc, b| acc * 10 + (b - b'0'));
        let year = y
            .bytes()
            .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'));
        Self::new(year, month)
    }

    /// The month of this date.
    ///
    /// Fails for dates before year 1, which no `M/YYYY` can name.
    ///
    /// ```
    /// use dealer_portal::period::YearMonth;
    /// use time::macros::date;
    /// assert_eq!(YearMonth::from_date(date!(2024-02-29)).unwrap().to_string(), "2/2024");
    /// ```
    pub fn from_date(date: Date) -> Result<Self> {
        let year = u16::try_from(date.year())
            .map_err(|_| period_error(format!("year {} is out of range 1-9999", date.year())))?;
        Self::new(year, u8::from(date.month()))
    }

    /// The year, 1–9999.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    fn time_month(self) -> Month {
        match self.month {
            1 => Month::January,
            2 => Month::February,
            3 => Month::March,
            4 => Month::April,
            5 => Month::May,
            6 => Month::June,
            7 => Month::July,
            8 => Month::August,
            9 => Month::September,
            10 => Month::October,
            11 => Month::November,
            _ => Month::December,
        }
    }

    /// The number of days in this month (28–31).
    pub fn days(self) -> u8 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 => {
                let y = self.year;
                if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) {
                    29
                } else {
                    28
                }
            }
            _ => 31,
        }
    }

    fn date(self, day: u8) -> Date {
        // Years 1-9999, months 1-12 and days within the month are always valid `time` dates.
        Date::from_calendar_date(i32::from(self.year), self.time_month(), day).unwrap_or(Date::MIN)
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        self.date(1)
    }

    /// The last day of the month (28, 29, 30 or 31).
    pub fn last_day(self) -> Date {
        self.date(self.days())
    }

    /// The following month; `None` after `12/9999`.
    ///
    /// ```
    /// use dealer_portal::period::YearMonth;
    /// let dec = YearMonth::new(2024, 12).unwrap();
    /// assert_eq!(dec.next().unwrap().to_string(), "1/2025");
    /// assert_eq!(YearMonth::MAX.next(), None);
    /// ```
    pub fn next(self) -> Option<Self> {
        if self.month < 12 {
            Some(YearMonth {
                year: self.year,
                month: self.month + 1,
            })
        } else if self.year < 9999 {
            Some(YearMonth {
                year: self.year + 1,
                month: 1,
            })
        } else {
            None
        }
    }

    /// The preceding month; `None` before `1/0001`.
    pub fn previous(self) -> Option<Self> {
        if self.month > 1 {
            Some(YearMonth {
                year: self.year,
                month: self.month - 1,
            })
        } else if self.year > 1 {
            Some(YearMonth {
                year: self.year - 1,
                month: 12,
            })
        } else {
            None
        }
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: Date) -> bool {
        i32::from(self.year) == date.year() && self.month == u8::from(date.month())
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:04}", self.month, self.year)
    }
}

impl FromStr for YearMonth {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for YearMonth {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A range of whole months, from the first day of `from` to the last day of `to`, both
/// included; either end may be open (`None`).
///
/// The default period is open at both ends: every date is in it.
///
/// ```
/// use dealer_portal::period::Period;
/// use time::macros::date;
/// let p = Period::parse(Some("1/2024"), Some("3/2024")).unwrap();
/// assert!(p.contains(date!(2024-01-01)));
/// assert!(p.contains(date!(2024-03-31)));
/// assert!(!p.contains(date!(2024-04-01)));
/// assert_eq!(p.bounds(), (Some(date!(2024-01-01)), Some(date!(2024-03-31))));
///
/// let open = Period::parse(Some("6/2024"), Some("  ")).unwrap(); // blank: open end
/// assert!(open.contains(date!(2999-01-01)));
/// assert_eq!(Period::parse(Some("3/2024"), Some("1/2024")).unwrap_err().code(), "INVALID_PERIOD");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "PeriodRepr")]
pub struct Period {
    from: Option<YearMonth>,
    to: Option<YearMonth>,
}

#[derive(Deserialize)]
struct PeriodRepr {
    #[serde(default)]
    from: Option<YearMonth>,
    #[serde(default)]
    to: Option<YearMonth>,
}

impl TryFrom<PeriodRepr> for Period {
    type Error = Error;
    fn try_from(r: PeriodRepr) -> Result<Self> {
        Period::new(r.from, r.to)
    }
}

impl Period {
    /// The period with both ends open.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// The period from `from` to `to`, both months included; fails when `from` is after `to`.
    pub fn new(from: Option<YearMonth>, to: Option<YearMonth>) -> Result<Self> {
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(period_error(format!(
                "the period starts ({f}) after it ends ({t})"
            )));
        }
        Ok(Period { from, to })
    }

    /// The single month `month`.
    pub fn month(month: YearMonth) -> Self {
        Period {
            from: Some(month),
            to: Some(month),
        }
    }

    /// Parses the two fields of the search form; a missing or blank field leaves that end open.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self> {
        fn field(s: Option<&str>) -> Result<Option<YearMonth>> {
            match s.map(str::trim) {
                None | Some("") => Ok(None),
                Some(s) => YearMonth::parse(s).map(Some),
            }
        }
        Self::new(field(from)?, field(to)?)
    }

    /// The first month, `None` when open.
    pub fn from(self) -> Option<YearMonth> {
        self.from
    }

    /// The last month, `None` when open.
    pub fn to(self) -> Option<YearMonth> {
        self.to
    }

    /// Whether both ends are open.
    pub fn is_unbounded(self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Whether `date` falls in the period (both whole months included).
    pub fn contains(self, date: Date) -> bool {
        let (lo, hi) = self.bounds();
        lo.is_none_or(|lo| date >= lo) && hi.is_none_or(|hi| date <= hi)
    }

    /// The first day of `from` and the last day of `to` (inclusive bounds), for range queries on
    /// an indexed date column: a date is in the period iff `lo <= date <= hi` for the present
    /// bounds.
    pub fn bounds(self) -> (Option<Date>, Option<Date>) {
        (
            self.from.map(YearMonth::first_day),
            self.to.map(YearMonth::last_day),
        )
    }
}

impl fmt::Display for Period {
    /// `1/2024 – 3/2024`, with `…` for an open end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.from {
            Some(m) => write!(f, "{m}")?,
            None => f.write_str("…")?,
        }
        f.write_str(" – ")?;
        match self.to {
            Some(m) => write!(f, "{m}"),
            None => f.write_str("…"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    #[test]
    fn parses_one_and_two_digit_months() {
        assert_eq!(ym("1/2024"), YearMonth::new(2024, 1).unwrap());
        assert_eq!(ym("01/2024"), YearMonth::new(2024, 1).unwrap());
        assert_eq!(ym(" 12/2024\t"), YearMonth::new(2024, 12).unwrap());
        assert_eq!(ym("1/0001"), YearMonth::MIN);
        assert_eq!(ym("12/9999"), YearMonth::MAX);
    }

    #[test]
    fn rejects_seed_placeholders_and_out_of_range() {
        for bad in [
            "1/AAAA",
            "fin",
            "",
            "   ",
            "13/2024",
            "0/2024",
            "00/2024",
            "1/0000",
            "1-2024",
            "1/24",
            "1/20245",
            "001/2024",
            "/2024",
            "1/",
            "1 /2024",
            "+1/2024",
            "1/2024/1",
            "１/2024",
            "1/２０２４",
        ] {
            let e = YearMonth::parse(bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_PERIOD", "{bad:?}");
            assert!(e.to_string().contains("expected M/YYYY"), "{e}");
        }
    }

    #[test]
    fn error_reasons_say_what_is_wrong() {
        let reason = |s: &str| match YearMonth::parse(s).unwrap_err() {
            Error::InvalidPeriod { reason } => reason,
            e => panic!("{e:?}"),
        };
        assert!(reason("13/2024").contains("month 13"));
        assert!(reason("1/0000").contains("year 0"));
        assert!(reason("1/AAAA").contains("four digits"));
        assert!(reason("").contains("empty"));
        assert!(reason(&"9".repeat(1000)).chars().count() < 120);
    }

    #[test]
    fn new_validates() {
        assert!(YearMonth::new(2024, 13).is_err());
        assert!(YearMonth::new(10000, 1).is_err());
        assert!(YearMonth::new(0, 1).is_err());
    }

    #[test]
    fn days_and_bounds() {
        assert_eq!(ym("2/2024").last_day(), date!(2024 - 02 - 29));
        assert_eq!(ym("2/2023").last_day(), date!(2023 - 02 - 28));
        assert_eq!(ym("2/1900").last_day(), date!(1900 - 02 - 28));
        assert_eq!(ym("2/2000").last_day(), date!(2000 - 02 - 29));
        assert_eq!(ym("4/2024").last_day(), date!(2024 - 04 - 30));
        assert_eq!(ym("12/9999").last_day(), date!(9999 - 12 - 31));
        assert_eq!(ym("1/0001").first_day(), date!(0001 - 01 - 01));
    }

    #[test]
    fn next_previous_and_from_date() {
        assert_eq!(ym("12/2024").next(), Some(ym("1/2025")));
        assert_eq!(ym("1/2025").previous(), Some(ym("12/2024")));
        assert_eq!(YearMonth::MIN.previous(), None);
        assert_eq!(
            YearMonth::from_date(date!(2024 - 07 - 14)).unwrap(),
            ym("7/2024")
        );
        assert_eq!(
            YearMonth::from_date(date!(0000 - 07 - 14))
                .unwrap_err()
                .code(),
            "INVALID_PERIOD"
        );
        assert!(ym("7/2024").contains(date!(2024 - 07 - 31)));
        assert!(!ym("7/2024").contains(date!(2023 - 07 - 31)));
    }

    #[test]
    fn display_pads_the_year() {
        assert_eq!(YearMonth::new(5, 3).unwrap().to_string(), "3/0005");
        assert_eq!(ym("3/0005"), YearMonth::new(5, 3).unwrap());
    }

    #[test]
    fn serde_is_a_validated_string() {
        assert_eq!(serde_json::to_string(&ym("03/2024")).unwrap(), "\"3/2024\"");
        assert_eq!(
            serde_json::from_str::<YearMonth>("\"03/2024\"").unwrap(),
            ym("3/2024")
        );
        assert!(serde_json::from_str::<YearMonth>("\"13/2024\"").is_err());
        let p = Period::parse(Some("1/2024"), None).unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#"{"from":"1/2024","to":null}"#);
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
        assert_eq!(serde_json::from_str::<Period>("{}").unwrap(), Period::ALL);
        assert!(serde_json::from_str::<Period>(r#"{"from":"2/2024","to":"1/2024"}"#).is_err());
    }

    #[test]
    fn periods() {
        assert_eq!(Period::parse(None, None).unwrap(), Period::ALL);
        assert!(Period::ALL.is_unbounded());
        assert!(Period::ALL.contains(Date::MIN) && Period::ALL.contains(Date::MAX));
        assert_eq!(Period::parse(Some(" "), Some("")).unwrap(), Period::ALL);
        let one = Period::parse(Some("2/2024"), Some("2/2024")).unwrap();
        assert_eq!(one, Period::month(ym("2/2024")));
        assert!(one.contains(date!(2024 - 02 - 29)));
        assert!(!one.contains(date!(2024 - 03 - 01)));
        assert!(!one.contains(date!(2024 - 01 - 31)));
        let to_only = Period::parse(None, Some("1/2024")).unwrap();
        assert!(to_only.contains(date!(1990 - 01 - 01)));
        assert!(!to_only.contains(date!(2024 - 02 - 01)));
        assert_eq!(to_only.to_string(), "… – 1/2024");
        for (f, t) in [
            (Some("3/2024"), Some("2/2024")),
            (Some("fin"), None),
            (None, Some("fin")),
        ] {
            assert_eq!(Period::parse(f, t).unwrap_err().code(), "INVALID_PERIOD");
        }
    }

    fn any_ym() -> impl Strategy<Value = YearMonth> {
        (1u16..=9999, 1u8..=12).prop_map(|(y, m)| YearMonth::new(y, m).unwrap())
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (-9999i32..=9999, 1u16..=365).prop_map(|(y, d)| Date::from_ordinal_date(y, d).unwrap())
    }

    proptest! {
        #[test]
        fn ym_display_parse_roundtrip(m in any_ym()) {
            prop_assert_eq!(YearMonth::parse(&m.to_string()).unwrap(), m);
            let json = serde_json::to_string(&m).unwrap();
            prop_assert_eq!(serde_json::from_str::<YearMonth>(&json).unwrap(), m);
            prop_assert_eq!(YearMonth::from_date(m.first_day()).unwrap(), m);
            prop_assert_eq!(YearMonth::from_date(m.last_day()).unwrap(), m);
            if let Some(n) = m.next() {
                prop_assert_eq!(n.first_day().previous_day().unwrap(), m.last_day());
                prop_assert_eq!(n.previous(), Some(m));
            }
        }

        #[test]
        fn ym_parse_never_panics(s in "\\PC{0,12}") {
            let _ = YearMonth::parse(&s);
        }

        #[test]
        fn ym_parse_agrees_with_format(m in 0u32..100, y in 0u32..10000) {
            let r = YearMonth::parse(&format!("{m}/{y:04}"));
            prop_assert_eq!(r.is_ok(), (1..=12).contains(&m) && y >= 1);
        }

        #[test]
        fn contains_agrees_with_bounds(
            a in proptest::option::of(any_ym()),
            b in proptest::option::of(any_ym()),
            d in any_date(),
        ) {
            let (from, to) = match (a, b) {
                (Some(a), Some(b)) if a > b => (Some(b), Some(a)),
                x => x,
            };
            let p = Period::new(from, to).unwrap();
            let (lo, hi) = p.bounds();
            let by_bounds = lo.is_none_or(|lo| lo <= d) && hi.is_none_or(|hi| d <= hi);
            prop_assert_eq!(p.contains(d), by_bounds);
            let by_months = match YearMonth::from_date(d) {
                Ok(m) => from.is_none_or(|f| f <= m) && to.is_none_or(|t| m <= t),
                Err(_) => from.is_none(),
            };
            prop_assert_eq!(p.contains(d), by_months);
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), p);
        }
    }
}
