//! The Go parameter types of the Sprig and Helm functions (Sprig v3.3.0's
//! `functions.go` and its helpers, Helm 4.2.3's `engine/funcs.go`).
//!
//! Go's template executor checks and converts arguments against these types
//! before the call, so a function given `1` for a `string` parameter fails
//! with `expected string; found 1` at the argument, not inside the function.
//! Functions whose parameters are all `interface {}` are listed too: their
//! arity is checked before any argument is evaluated, as in Go.

use gotmpl::{FuncMap, GoType, Signature};

const A: GoType = GoType::Any;
const S: GoType = GoType::String;
const I: GoType = GoType::Int;
const B: GoType = GoType::Bool;
const F: GoType = GoType::Float64;
const U32: GoType = GoType::Uint32;
const MAP: GoType = GoType::Nilable("map[string]interface {}");
const LIST: GoType = GoType::Nilable("[]interface {}");
const TIME: GoType = GoType::Struct("time.Time");
const CERT: GoType = GoType::Struct("sprig.certificate");

const fn fixed(params: &'static [GoType]) -> Signature {
    Signature {
        params,
        variadic: None,
    }
}

const fn variadic(params: &'static [GoType], rest: GoType) -> Signature {
    Signature {
        params,
        variadic: Some(rest),
    }
}

/// Every registered function with its Go signature.
pub(crate) const SIGNATURES: &[(&[&str], Signature)] = &[
    (&["hello", "now", "uuidv4"], fixed(&[])),
    // Dates.
    (
        &["ago", "duration", "durationRound", "htmlDate"],
        fixed(&[A]),
    ),
    (&["date"], fixed(&[S, A])),
    (&["date_in_zone", "dateInZone"], fixed(&[S, A, S])),
    (&["htmlDateInZone"], fixed(&[A, S])),
    (
        &[
            "date_modify",
            "dateModify",
            "must_date_modify",
            "mustDateModify",
        ],
        fixed(&[S, TIME]),
    ),
    (&["toDate", "mustToDate"], fixed(&[S, S])),
    (&["unixEpoch"], fixed(&[TIME])),
    // Strings.
    (
        &["abbrev", "trunc", "repeat", "wrap", "indent", "nindent"],
        fixed(&[I, S]),
    ),
    (&["abbrevboth", "substr"], fixed(&[I, I, S])),
    (
        &[
            "trim",
            "upper",
            "lower",
            "title",
            "untitle",
            "nospace",
            "initials",
            "swapcase",
            "shuffle",
            "snakecase",
            "camelcase",
            "kebabcase",
            "sha1sum",
            "sha256sum",
            "sha512sum",
            "adler32sum",
            "atoi",
            "getHostByName",
            "base",
            "dir",
            "clean",
            "ext",
            "isAbs",
            "osBase",
            "osClean",
            "osDir",
            "osExt",
            "osIsAbs",
            "b64enc",
            "b64dec",
            "b32enc",
            "b32dec",
            "bcrypt",
            "genPrivateKey",
            "semver",
            "fail",
            "regexQuoteMeta",
            "urlParse",
            "fromJson",
            "mustFromJson",
            "fromJsonArray",
            "fromYaml",
            "fromYamlArray",
            "fromToml",
        ],
        fixed(&[S]),
    ),
    (
        &[
            "trimall",
            "trimAll",
            "trimSuffix",
            "trimPrefix",
            "contains",
            "hasPrefix",
            "hasSuffix",
            "split",
            "splitList",
            "htpasswd",
            "buildCustomCert",
            "encryptAES",
            "decryptAES",
            "semverCompare",
            "regexMatch",
            "mustRegexMatch",
            "regexFind",
            "mustRegexFind",
        ],
        fixed(&[S, S]),
    ),
    (
        &[
            "randAlphaNum",
            "randAlpha",
            "randAscii",
            "randNumeric",
            "until",
            "randBytes",
        ],
        fixed(&[I]),
    ),
    (&["wrapWith"], fixed(&[I, S, S])),
    (
        &[
            "quote", "squote", "cat", "coalesce", "all", "any", "tuple", "list", "dict", "concat",
            "dig", "add", "addf",
        ],
        variadic(&[], A),
    ),
    (
        &[
            "replace",
            "regexReplaceAll",
            "mustRegexReplaceAll",
            "regexReplaceAllLiteral",
            "mustRegexReplaceAllLiteral",
        ],
        fixed(&[S, S, S]),
    ),
    (&["plural"], fixed(&[S, S, I])),
    (&["splitn"], fixed(&[S, I, S])),
    (
        &[
            "regexFindAll",
            "mustRegexFindAll",
            "regexSplit",
            "mustRegexSplit",
        ],
        fixed(&[S, S, I]),
    ),
    (&["untilStep"], fixed(&[I, I, I])),
    (&["seq"], variadic(&[], I)),
    (&["randInt"], fixed(&[I, I])),
    // Conversion, math, defaults, reflection, lists: `interface {}` parameters.
    (
        &[
            "toString",
            "int64",
            "int",
            "float64",
            "toDecimal",
            "toStrings",
            "add1",
            "add1f",
            "ceil",
            "floor",
            "sortAlpha",
            "empty",
            "compact",
            "mustCompact",
            "toJson",
            "toPrettyJson",
            "toRawJson",
            "mustToJson",
            "mustToPrettyJson",
            "mustToRawJson",
            "deepCopy",
            "mustDeepCopy",
            "typeOf",
            "kindOf",
            "first",
            "mustFirst",
            "rest",
            "mustRest",
            "last",
            "mustLast",
            "initial",
            "mustInitial",
            "reverse",
            "mustReverse",
            "uniq",
            "mustUniq",
            "toToml",
            "mustToToml",
            "toYaml",
            "mustToYaml",
            "toYamlPretty",
        ],
        fixed(&[A]),
    ),
    (
        &[
            "sub",
            "div",
            "mod",
            "deepEqual",
            "append",
            "push",
            "mustAppend",
            "mustPush",
            "prepend",
            "mustPrepend",
            "has",
            "mustHas",
        ],
        fixed(&[A, A]),
    ),
    (
        &[
            "mul",
            "subf",
            "divf",
            "mulf",
            "biggest",
            "max",
            "min",
            "maxf",
            "minf",
            "default",
            "without",
            "mustWithout",
            "slice",
            "mustSlice",
        ],
        variadic(&[A], A),
    ),
    (&["round"], variadic(&[A, I], F)),
    (&["join"], fixed(&[S, A])),
    (&["ternary"], fixed(&[A, A, B])),
    (&["typeIs", "typeIsLike", "kindIs"], fixed(&[S, A])),
    (&["chunk", "mustChunk"], fixed(&[I, A])),
    // Dicts.
    (&["get", "unset", "hasKey"], fixed(&[MAP, S])),
    (&["set"], fixed(&[MAP, S, A])),
    (&["pluck"], variadic(&[S], MAP)),
    (&["keys"], variadic(&[], MAP)),
    (&["pick", "omit"], variadic(&[MAP], S)),
    (
        &["merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"],
        variadic(&[MAP], MAP),
    ),
    (&["values", "urlJoin"], fixed(&[MAP])),
    // Crypto.
    (&["derivePassword"], fixed(&[U32, S, S, S, S])),
    (&["genCA"], fixed(&[S, I])),
    (&["genCAWithKey"], fixed(&[S, I, S])),
    (&["genSelfSignedCert"], fixed(&[S, LIST, LIST, I])),
    (&["genSelfSignedCertWithKey"], fixed(&[S, LIST, LIST, I, S])),
    (&["genSignedCert"], fixed(&[S, LIST, LIST, I, CERT])),
    (
        &["genSignedCertWithKey"],
        fixed(&[S, LIST, LIST, I, CERT, S]),
    ),
    // Helm.
    (&["include", "tpl", "required"], fixed(&[S, A])),
    (&["lookup"], fixed(&[S, S, S, S])),
];

/// Declares every signature in [`SIGNATURES`]; returns the names that are
/// not registered (none: a unit test checks).
pub(crate) fn declare(map: &mut FuncMap) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for (names, sig) in SIGNATURES {
        for name in *names {
            if !map.set_signature(name, *sig) {
                missing.push(*name);
            }
        }
    }
    missing
}
