//! Sprig's integer math (every argument truncated to int64), float math
//! (shopspring/decimal arithmetic on the shortest decimal form of each float),
//! sequences and type conversion (spf13/cast semantics).

use gotmpl::{FuncMap, Value};

use super::{
    FnResult, arity, arity_min, err, gofmt, int_arg, lists::int_list, parse_go_int, pure, str_arg,
    strval, to_f64, to_i64,
};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "add1", |a| {
        arity("add1", a, 1)?;
        Ok(Value::Int64(to_i64(&a[0]).wrapping_add(1)))
    });
    pure(map, "add", |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_i64(v))),
        ))
    });
    pure(map, "sub", |a| {
        arity("sub", a, 2)?;
        Ok(Value::Int64(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))))
    });
    pure(map, "mul", |a| {
        arity_min("mul", a, 1)?;
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_i64(&a[0]), |acc, v| acc.wrapping_mul(to_i64(v))),
        ))
    });
    pure(map, "div", |a| {
        arity("div", a, 2)?;
        let (x, y) = (to_i64(&a[0]), to_i64(&a[1]));
        if y == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    pure(map, "mod", |a| {
        arity("mod", a, 2)?;
        let (x, y) = (to_i64(&a[0]), to_i64(&a[1]));
        if y == 0 {
            return Err(err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    for name in ["max", "biggest"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity_min(name, a, 1)?;
            Ok(Value::Int64(a.iter().map(to_i64).max().unwrap_or(0)))
        });
    }
    pure(map, "min", |a| {
        arity_min("min", a, 1)?;
        Ok(Value::Int64(a.iter().map(to_i64).min().unwrap_or(0)))
    });
    pure(map, "maxf", |a| {
        arity_min("maxf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_f64(&a[0]), |acc, v| go_max(acc, to_f64(v))),
        ))
    });
    pure(map, "minf", |a| {
        arity_min("minf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_f64(&a[0]), |acc, v| go_min(acc, to_f64(v))),
        ))
    });
    pure(map, "add1f", |a| {
        arity("add1f", a, 1)?;
        Ok(Value::Float(decimal_op(&a[0], &[Value::Int(1)], Op::Add)?))
    });
    pure(map, "addf", |a| {
        arity_min("addf", a, 1)?;
        Ok(Value::Float(decimal_op(&a[0], &a[1..], Op::Add)?))
    });
    pure(map, "subf", |a| {
        arity_min("subf", a, 1)?;
        Ok(Value::Float(decimal_op(&a[0], &a[1..], Op::Sub)?))
    });
    pure(map, "mulf", |a| {
        arity_min("mulf", a, 1)?;
        Ok(Value::Float(decimal_op(&a[0], &a[1..], Op::Mul)?))
    });
    pure(map, "divf", |a| {
        arity_min("divf", a, 1)?;
        Ok(Value::Float(decimal_op(&a[0], &a[1..], Op::Div)?))
    });
    pure(map, "ceil", |a| {
        arity("ceil", a, 1)?;
        Ok(Value::Float(to_f64(&a[0]).ceil()))
    });
    pure(map, "floor", |a| {
        arity("floor", a, 1)?;
        Ok(Value::Float(to_f64(&a[0]).floor()))
    });
    pure(map, "round", |a| {
        arity_min("round", a, 2)?;
        let places = int_arg(a, 1)? as f64;
        let round_on = match a.get(2) {
            Some(Value::Float(f)) => *f,
            Some(other) => return Err(super::type_error("float64", other)),
            None => 0.5,
        };
        let val = to_f64(&a[0]);
        let pow = 10f64.powf(places);
        let digit = pow * val;
        let frac = digit - digit.trunc();
        let r = if frac >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Value::Float(r / pow))
    });
    pure(map, "randInt", |a| {
        arity("randInt", a, 2)?;
        let (lo, hi) = (int_arg(a, 0)?, int_arg(a, 1)?);
        if hi <= lo {
            return Err(err("invalid argument to Intn"));
        }
        let span = (hi - lo) as u64;
        Ok(Value::Int(lo + super::encoding::random_below(span)? as i64))
    });
    pure(map, "until", |a| {
        arity("until", a, 1)?;
        let count = int_arg(a, 0)?;
        Ok(int_list(until_step(
            0,
            count,
            if count < 0 { -1 } else { 1 },
        )?))
    });
    pure(map, "untilStep", |a| {
        arity("untilStep", a, 3)?;
        Ok(int_list(until_step(
            int_arg(a, 0)?,
            int_arg(a, 1)?,
            int_arg(a, 2)?,
        )?))
    });
    pure(map, "seq", seq);
    pure(map, "atoi", |a| {
        arity("atoi", a, 1)?;
        Ok(Value::Int(atoi(str_arg(a, 0)?)))
    });
    pure(map, "int", |a| {
        arity("int", a, 1)?;
        Ok(Value::Int(to_i64(&a[0])))
    });
    pure(map, "int64", |a| {
        arity("int64", a, 1)?;
        Ok(Value::Int64(to_i64(&a[0])))
    });
    pure(map, "float64", |a| {
        arity("float64", a, 1)?;
        Ok(Value::Float(to_f64(&a[0])))
    });
    pure(map, "toDecimal", |a| {
        arity("toDecimal", a, 1)?;
        let s = gofmt::format_value(&a[0]);
        Ok(Value::Int64(parse_int_radix(&s, 8).unwrap_or(0)))
    });
}

/// `strconv.Atoi`: decimal only, optional sign, errors give 0.
fn atoi(s: &str) -> i64 {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse::<i64>().unwrap_or(0)
}

/// `strconv.ParseInt(s, base, 64)` for an explicit base (no prefixes, no underscores).
fn parse_int_radix(s: &str, radix: u32) -> Option<i64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    i64::from_str_radix(s, radix).ok()
}

/// Go's `math.Max`/`math.Min` (NaN wins).
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, gotmpl::FuncError> {
    let mut v = Vec::new();
    let limit = 10_000_000usize;
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        let mut i = start;
        while i > stop {
            v.push(i);
            if v.len() > limit {
                return Err(err("untilStep: too many elements"));
            }
            i += step;
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    let mut i = start;
    while i < stop {
        v.push(i);
        if v.len() > limit {
            return Err(err("untilStep: too many elements"));
        }
        i += step;
    }
    Ok(v)
}

fn seq(a: &[Value]) -> FnResult {
    let mut p = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        p.push(int_arg(a, i)?);
    }
    let join =
        |v: Vec<i64>| Value::string(v.iter().map(i64::to_string).collect::<Vec<_>>().join(" "));
    Ok(match p.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            join(until_step(1, end + inc, inc)?)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            join(until_step(*start, end + step, step)?)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(Value::string(""));
                }
            }
            join(until_step(*start, end + inc, *step)?)
        }
        _ => Value::string(""),
    })
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// An exact decimal `mantissa * 10^exp`.
#[derive(Clone, Copy, Debug)]
struct Dec {
    m: i128,
    e: i32,
}

/// Shortest round-trip decimal digits of |f| and the decimal exponent:
/// `1234.5` -> (`"12345"`, 3), meaning 1.2345e3. Rust's `{:e}` prints the
/// shortest digits that round-trip, as Go's `strconv` does.
fn shortest_digits(f: f64) -> (String, i32) {
    let e = format!("{:e}", f.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (digits, exp.parse().unwrap_or(0))
}

impl Dec {
    /// shopspring's `NewFromFloat`: the shortest decimal that round-trips.
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Dec { m: 0, e: 0 });
        }
        let (digits, exp) = shortest_digits(f);
        let m: i128 = digits.parse().ok()?;
        let m = if f < 0.0 { -m } else { m };
        Some(Dec {
            m,
            e: exp - (digits.len() as i32 - 1),
        })
    }

    fn rescale(self, e: i32) -> Option<Dec> {
        if e > self.e {
            return None;
        }
        let shift = (self.e - e) as u32;
        let m = self.m.checked_mul(10i128.checked_pow(shift)?)?;
        Some(Dec { m, e })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }
}

fn dec_apply(x: Dec, y: Dec, op: Op) -> Option<Dec> {
    match op {
        Op::Add | Op::Sub => {
            let e = x.e.min(y.e);
            let (x, y) = (x.rescale(e)?, y.rescale(e)?);
            let m = match op {
                Op::Add => x.m.checked_add(y.m)?,
                _ => x.m.checked_sub(y.m)?,
            };
            Some(Dec { m, e })
        }
        Op::Mul => Some(Dec {
            m: x.m.checked_mul(y.m)?,
            e: x.e + y.e,
        }),
        Op::Div => {
            // shopspring Div: DivRound to 16 fractional digits, half away from zero.
            let shift = x.e - y.e + 16;
            let (num, den) = if shift >= 0 {
                (x.m.checked_mul(10i128.checked_pow(shift as u32)?)?, y.m)
            } else {
                (x.m, y.m.checked_mul(10i128.checked_pow((-shift) as u32)?)?)
            };
            let q = num / den;
            let r = num % den;
            let q = if r.checked_mul(2)?.abs() >= den.abs() {
                if (num < 0) != (den < 0) { q - 1 } else { q + 1 }
            } else {
                q
            };
            Some(Dec { m: q, e: -16 })
        }
    }
}

fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<f64, gotmpl::FuncError> {
    let mut acc_f = to_f64(first);
    let mut acc = Dec::from_f64(acc_f);
    for v in rest {
        let y_f = to_f64(v);
        if matches!(op, Op::Div) && y_f == 0.0 {
            return Err(err("decimal division by 0"));
        }
        acc = match (acc, Dec::from_f64(y_f)) {
            (Some(x), Some(y)) => dec_apply(x, y, op),
            _ => None,
        };
        acc_f = match acc {
            Some(d) => d.to_f64(),
            None => match op {
                Op::Add => acc_f + y_f,
                Op::Sub => acc_f - y_f,
                Op::Mul => acc_f * y_f,
                Op::Div => acc_f / y_f,
            },
        };
        if acc.is_none() {
            acc = Dec::from_f64(acc_f);
        }
    }
    Ok(acc_f)
}

/// Sprig's `toString` of a number, used by callers that need `%v`.
#[allow(dead_code)]
pub(crate) fn number_string(v: &Value) -> String {
    strval(v)
}

#[allow(dead_code)]
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    parse_go_int(s)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use gotmpl::Value;

    #[test]
    fn int_truncation() {
        assert_eq!(ok("add", &[i(1), f(2.9)]), "3");
        assert_eq!(ok("mul", &[f(1.5), i(2)]), "2");
        assert_eq!(ok("div", &[i(7), i(2)]), "3");
        assert_eq!(ok("sub", &[i(5), f(1.5)]), "4");
        assert_eq!(ok("mod", &[i(7), i(3)]), "1");
        assert_eq!(ok("max", &[i(1), f(2.5), s("7")]), "7");
        assert_eq!(ok("min", &[i(3), i(1)]), "1");
        assert_eq!(
            call("div", &[i(1), i(0)]).unwrap_err(),
            "runtime error: integer divide by zero"
        );
    }

    #[test]
    fn float_math() {
        assert_eq!(ok("addf", &[i(1), f(2.9)]), "3.9");
        assert_eq!(ok("mulf", &[f(1.5), i(2)]), "3");
        assert_eq!(ok("divf", &[i(7), i(2)]), "3.5");
        assert_eq!(ok("maxf", &[i(1), f(2.5)]), "2.5");
        assert_eq!(ok("addf", &[f(0.1), f(0.2)]), "0.3");
        assert_eq!(ok("divf", &[i(1), i(3)]), "0.3333333333333333");
        assert_eq!(ok("round", &[f(2.5), i(0)]), "3");
        assert_eq!(ok("round", &[f(1.2345), i(2)]), "1.23");
        assert_eq!(ok("round", &[f(-2.4), i(0)]), "-3");
        assert_eq!(ok("round", &[f(2.4), i(0)]), "2");
        assert_eq!(ok("floor", &[f(1.7)]), "1");
        assert_eq!(ok("ceil", &[f(1.2)]), "2");
    }

    #[test]
    fn sequences() {
        assert_eq!(ok("until", &[i(3)]), "[0 1 2]");
        assert_eq!(ok("untilStep", &[i(0), i(10), i(4)]), "[0 4 8]");
        assert_eq!(ok("seq", &[i(3)]), "1 2 3");
        assert_eq!(ok("seq", &[i(0), i(2), i(6)]), "0 2 4 6");
        assert_eq!(ok("seq", &[i(5), i(3)]), "5 4 3");
    }

    #[test]
    fn conversion() {
        assert_eq!(ok("int", &[s("010")]), "8");
        assert_eq!(ok("atoi", &[s("010")]), "10");
        assert_eq!(ok("int", &[s("0x10")]), "16");
        assert_eq!(ok("int64", &[s("010")]), "8");
        assert_eq!(ok("int", &[s("12abc")]), "0");
        assert_eq!(ok("atoi", &[s("1.5")]), "0");
        assert_eq!(ok("int", &[s("1.5")]), "0");
        assert_eq!(ok("int", &[f(1.9)]), "1");
        assert_eq!(ok("int", &[f(-1.9)]), "-1");
        assert_eq!(ok("int", &[Value::Bool(true)]), "1");
        assert_eq!(ok("int", &[Value::Nil]), "0");
        assert_eq!(
            ok("int64", &[f(12345678901234567890.0)]),
            "-9223372036854775808"
        );
        assert_eq!(ok("float64", &[s("1.5")]), "1.5");
        assert_eq!(ok("toDecimal", &[s("0777")]), "511");
        assert_eq!(ok("toDecimal", &[s("abc")]), "0");
    }
}
