#!/usr/bin/env python3
"""Generates crates/helm/tests/fixtures/func-cases.json: Sprig/Helm function
cases whose expected outputs come from the real Helm 4.2.3 engine.

Runs /work/shared/tools/helm_oracle.py eval-batch (helm-python-sdk) with the
python from $HELM_PYTHON, else target/helm-venv/bin/python. Each case renders
as templates/tNNNN.txt in the oracle's throwaway chart, with the same default
values as helm-gotchas-observed.json, so the Rust harness
(crates/helm/tests/gotchas.rs) replays both files the same way.

Usage: scripts/gen-helm-func-cases.py [--oracle PATH] [--out PATH]
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
sys.path.insert(0, os.path.join(ROOT, "crates", "helm", "tests", "fixtures"))
from oracle_batch import eval_batch, outcome  # noqa: E402

# (group, template). Only deterministic functions; no mutation of .Values
# (all cases share one chart render, where mutations would leak).
CASES = [
    # strings
    ("strings", '{{ abbrev 4 "hello" }}|{{ abbrev 3 "hello" }}|{{ abbrev 10 "hello" }}'),
    ("strings", '{{ abbrevboth 5 10 "1234 5678 9123" }}|{{ abbrevboth 1 6 "abcdefghij" }}'),
    ("strings", '{{ trunc 0 "abc" }}|{{ trunc -10 "abc" }}|{{ trunc -3 "abc" }}'),
    ("strings", '{{ upper "straße" }}|{{ lower "ÀÉ" }}|{{ title "hello_world foo-bar x.y" }}'),
    ("strings", '{{ untitle "Hello World" }}|{{ untitle "ÉCOLE x" }}'),
    ("strings", '{{ substr 0 2 "hello" }}|{{ substr -1 2 "hello" }}|{{ substr 1 1 "hello" }}'),
    ("strings", '{{ substr 6 7 "hello" }}'),
    ("strings", '{{ substr 3 1 "hello" }}'),
    ("strings", '[{{ repeat 0 "x" }}]|{{ repeat 2 "" }}|{{ "ab" | repeat 2 }}'),
    ("strings", '{{ repeat -1 "x" }}'),
    ("strings", '{{ trimall "ab" "abxba" }}|{{ trimAll " " "  x  " }}|{{ trimSuffix "ab" "xabab" }}|{{ trimPrefix "x" "yx" }}'),
    ("strings", '{{ nospace " a\\tb\\nc " }}|{{ initials "hello big  world" }}|{{ initials "" }}'),
    ("strings", '{{ swapcase "Hello World 1" }}|{{ swapcase "ǅ" }}'),
    ("strings", '{{ snakecase "HTTPServer" }}|{{ snakecase "NoHTTPS" }}|{{ snakecase "GO_PATH" }}|{{ snakecase "GO PATH" }}|{{ snakecase "GO-PATH" }}'),
    ("strings", '{{ snakecase "FirstName" }}|{{ snakecase "fooBar" }}|{{ snakecase "foo_bar" }}|{{ snakecase "a" }}|{{ snakecase "" }}'),
    ("strings", '{{ snakecase "http2xx" }}|{{ snakecase "HTTP20xOK" }}|{{ snakecase "Duration2m3s" }}|{{ snakecase "Bld4Floor3rd" }}'),
    ("strings", '{{ kebabcase "HTTPServer" }}|{{ kebabcase "fooBar" }}|{{ kebabcase "foo_bar" }}|{{ kebabcase "Foo Bar" }}'),
    ("strings", '{{ camelcase "foo_bar" }}|{{ camelcase "foo-bar" }}|{{ camelcase "foo bar" }}|{{ camelcase "_x__y_" }}|{{ camelcase "fooBar" }}|{{ camelcase "HTTP_SERVER" }}'),
    ("strings", '{{ wrap 3 "a b c d e" }}|{{ wrap 5 "abcdefgh ij" }}|{{ wrap 0 "ab cd" }}'),
    ("strings", '{{ wrapWith 5 "\\t" "Hello World" }}|{{ wrapWith 3 "+" "abcdefg" }}'),
    ("strings", '{{ contains "" "x" }}|{{ hasPrefix "" "x" }}|{{ hasSuffix "yz" "xyz" }}|{{ "catch" | contains "cat" }}'),
    ("strings", '{{ quote "tab\\there" }}|{{ quote "é\\u00e9" }}|{{ quote 1.5 true nil "x" }}|{{ squote 1 nil "a\'b" }}'),
    ("strings", '{{ quote (list 1 2) }}|{{ squote .Values.m }}|{{ quote .Values.n6 }}'),
    ("strings", '{{ cat }}|{{ cat nil }}|{{ cat "a" (list 1 2) .Values.m }}|{{ cat 1.5 true }}'),
    ("strings", '[{{ indent 0 "a\\nb" }}]|[{{ indent 3 "" }}]|[{{ nindent 1 "x" }}]|[{{ indent -2 "x" }}]'),
    ("strings", '{{ replace "" "-" "abc" }}|{{ replace "a" "" "banana" }}|{{ "a.b" | replace "." "/" }}'),
    ("strings", '{{ plural "one" "many" 1 }}|{{ plural "one" "many" 0 }}|{{ plural "one" "many" -1 }}'),
    ("strings", '{{ toString 1.5 }}|{{ toString .Values.m }}|{{ toString (list nil 1) }}|{{ toString "x" }}|{{ toString .Values.n8 }}'),
    ("strings", '{{ hello }}'),
    ("strings", '{{ title "ǆemal" }}|{{ upper "ﬁ" }}'),
    # string slices
    ("slices", '{{ split "" "abc" }}|{{ split "," "" }}|{{ (split "," "a,b")._1 }}|{{ typeOf (split "," "a") }}'),
    ("slices", '{{ splitn "," 0 "a,b" }}|{{ splitn "," -1 "a,b,c" }}|{{ splitn "," 1 "a,b" }}'),
    ("slices", '{{ splitList "" "abc" }}|{{ splitList "," "" }}|{{ typeOf (splitList "," "a") }}|{{ len (splitList "," "") }}'),
    ("slices", '{{ join ", " (list "a" nil "b") }}|{{ join "" .Values.l }}|{{ join "-" "abc" }}|{{ join "-" nil }}|{{ join "," .Values.m }}'),
    ("slices", '{{ sortAlpha "x" }}|{{ sortAlpha .Values.nl }}|{{ sortAlpha (list "é" "e" "z" "A" "_") }}|{{ typeOf (sortAlpha .Values.l) }}'),
    ("slices", '{{ toStrings "abc" }}|{{ toStrings nil }}|{{ toStrings .Values.m }}|{{ typeOf (toStrings (list 1)) }}|{{ toStrings (list true 1.5 .Values.n6) }}'),
    # lists
    ("lists", '{{ list }}|{{ list nil }}|{{ typeOf (list) }}|{{ tuple 1 "a" }}'),
    ("lists", '{{ first (list nil 1) }}|[{{ last (list) }}]|[{{ rest (list) }}]|{{ rest (list 1) }}|[{{ initial (list) }}]|{{ initial (list 1) }}'),
    ("lists", '{{ first "abc" }}'),
    ("lists", '{{ last .Values.m }}'),
    ("lists", '{{ reverse (list) }}|{{ reverse (list 1 "a" nil) }}|{{ uniq (list "a" "a" 1 1.0 1) }}|{{ uniq (list (list 1) (list 1)) }}'),
    ("lists", '{{ without (list 1 2 3 2) 2 3 }}|{{ without (list "a") }}|{{ compact (list false true 0.0 (list) (dict) "0") }}'),
    ("lists", '{{ has nil (list nil) }}|{{ has "a" nil }}|{{ has (list 1) (list (list 1)) }}|{{ has 1 (list 1.0) }}'),
    ("lists", '{{ has "a" "abc" }}'),
    ("lists", '{{ append (list) 1 }}|{{ push (list 1) (list 2) }}|{{ prepend (list) nil }}|{{ concat }}|{{ concat (list) (list 1) (list (list 2)) }}'),
    ("lists", '{{ concat (list 1) "x" }}'),
    ("lists", '{{ append "x" 1 }}'),
    ("lists", '{{ slice (list 1 2 3) 1 2 }}|{{ slice (list 1 2 3) }}|[{{ slice (list) }}]|{{ slice (list 1 2 3) 0 0 }}|{{ typeOf (slice (splitList "," "a,b") 1) }}'),
    ("lists", '{{ slice (list 1 2) 1 5 }}'),
    ("lists", '{{ chunk 1 (list 1 2) }}|{{ chunk 5 (list 1 2) }}|{{ chunk 2 (list) }}'),
    ("lists", '{{ mustFirst (list 1) }}|{{ mustLast (list 1 2) }}|{{ mustRest (list 1 2) }}|{{ mustInitial (list 1 2) }}|{{ mustReverse (list 1 2) }}|{{ mustUniq (list 1 1) }}|{{ mustWithout (list 1 2) 1 }}|{{ mustHas 1 (list 1) }}|{{ mustCompact (list 0 1) }}|{{ mustAppend (list 1) 2 }}|{{ mustPrepend (list 1) 0 }}|{{ mustPush (list) 1 }}|{{ mustSlice (list 1 2) 1 }}|{{ mustChunk 1 (list 1) }}'),
    ("lists", '{{ until 0 }}|{{ until -3 }}|{{ untilStep 5 0 -2 }}|{{ untilStep 0 5 -1 }}|{{ untilStep 0 -5 1 }}|{{ typeOf (until 2) }}'),
    # dicts
    ("dicts", '{{ dict }}|{{ dict "a" nil }}|{{ dict nil 1 }}|{{ dict 1.5 2 true 3 }}|{{ typeOf (dict) }}'),
    ("dicts", '{{ get (dict "a" nil) "a" }}|{{ get .Values.m "a" }}|{{ kindOf (get (dict) "x") }}'),
    ("dicts", '{{ get .Values.l "a" }}'),
    ("dicts", '{{ hasKey (dict "a" nil) "a" }}|{{ hasKey .Values.m "zz" }}'),
    ("dicts", '{{ pluck "a" }}|{{ pluck "a" (dict "a" nil) (dict "a" 1) }}|{{ pluck "c" .Values.m }}'),
    ("dicts", '{{ keys }}|{{ keys (dict) }}|{{ keys (dict "b" 1) (dict "a" 2 "b" 3) | sortAlpha }}|{{ typeOf (keys (dict)) }}'),
    ("dicts", '{{ values (dict) }}|{{ values (dict "b" 2 "a" 1) | sortAlpha }}|{{ typeOf (values (dict)) }}'),
    ("dicts", '{{ pick (dict "a" 1 "b" 2) }}|{{ pick (dict "a" 1 "b" 2) "b" "b" }}|{{ omit (dict "a" 1 "b" 2) }}|{{ omit (dict "a" 1) "a" "z" }}'),
    ("dicts", '{{ dig "a" "b" "def" (dict "a" (dict "b" nil)) }}|{{ dig "x" 0 (dict) }}|{{ dig "m" "zz" "d" .Values }}'),
    ("dicts", '{{ dig "m" "a" "d" .Values }}'),
    ("dicts", '{{ dig "a" "b" "def" (dict "a" "str") }}'),
    ("dicts", '{{ dig "a" "def" }}'),
    ("dicts", '{{ $d := dict "a" (dict "x" 1) }}{{ $s := dict "a" (dict "y" 2) "b" (list 1) }}{{ merge $d $s }}|{{ $d.a }}'),
    ("dicts", '{{ $d := dict "a" "" "b" 0 "c" false "d" (list) "e" nil }}{{ merge $d (dict "a" "x" "b" 1 "c" true "d" (list 1) "e" "y") }}'),
    ("dicts", '{{ $d := dict "a" "keep" "l" (list 1) }}{{ merge $d (dict "a" (dict "x" 1) "l" (list 2)) }}|{{ mergeOverwrite (dict "a" "keep" "l" (list 1)) (dict "a" (dict "x" 1) "l" (list 2)) }}'),
    ("dicts", '{{ mergeOverwrite (dict "a" 1) (dict "a" nil) }}|{{ merge (dict "a" 1) (dict "a" nil "b" nil) }}|{{ mergeOverwrite (dict "a" (dict "x" 1 "y" 2)) (dict "a" (dict "x" 3)) }}'),
    ("dicts", '{{ merge (dict) (dict "a" 1) (dict "a" 2 "b" 2) }}|{{ mergeOverwrite (dict) (dict "a" 1) (dict "a" 2 "b" 2) }}|{{ mustMerge (dict "a" 1) (dict "b" 2) }}|{{ mustMergeOverwrite (dict "a" 1) (dict "a" 2) }}'),
    ("dicts", '{{ merge (dict "n" (dict)) (dict "n" (dict "x" 1)) }}|{{ merge (dict "n" nil) (dict "n" (dict "x" 1)) }}'),
    ("dicts", '{{ $c := deepCopy (list 1 (dict "a" 1)) }}{{ $c }}|{{ deepCopy "s" }}|{{ deepCopy 1.5 }}|{{ mustDeepCopy (dict "a" (list 1)) }}'),
    ("dicts", '{{ $d := dict "a" 1 }}{{ $x := set $d "a" 2 }}{{ $d.a }}|{{ unset (dict "a" 1) "zz" }}'),
    # math
    ("math", '{{ add }}|{{ add 1 }}|{{ add "3" "4" }}|{{ add 1.9 1.9 }}|{{ kindOf (add 1 2) }}'),
    ("math", '{{ add1 "x" }}|{{ add1 nil }}|{{ add1 true }}|{{ add1 -1.5 }}'),
    ("math", '{{ sub 1 2 }}|{{ sub "10" 2.5 }}|{{ mul 2 }}|{{ mul 2 3 "4" }}|{{ div -7 2 }}|{{ mod -7 3 }}|{{ mod 7 -3 }}'),
    ("math", '{{ mod 1 0 }}'),
    ("math", '{{ max 3 }}|{{ max -1 -2 }}|{{ min 1 2.5 "-7" }}|{{ biggest 1 5 3 }}|{{ kindOf (max 1) }}'),
    ("math", '{{ maxf 1 }}|{{ maxf 1 "2.5" }}|{{ minf 3 1.5 2 }}|{{ minf -0.5 0 }}|{{ kindOf (maxf 1) }}'),
    ("math", '{{ addf 0.1 0.2 }}|{{ subf 0.3 0.1 }}|{{ mulf 0.1 3 }}|{{ divf 10 4 }}|{{ divf 2 3 }}|{{ add1f 1.5 }}'),
    ("math", '{{ addf 1 }}|{{ addf "1.5" 2 }}|{{ subf 10 1 2 3 }}|{{ mulf 1.1 1.1 }}|{{ divf 1 8 }}|{{ divf 100 3 }}'),
    ("math", '{{ divf 1 0 }}'),
    ("math", '{{ divf 1e20 3 }}|{{ mulf 1e10 1e10 }}|{{ addf 1e20 1 }}|{{ subf 0 0.000001 }}'),
    ("math", '{{ ceil -1.5 }}|{{ floor -1.5 }}|{{ ceil "2.1" }}|{{ floor 3 }}|{{ round 1.5 0 }}|{{ round 0.5 0 }}|{{ round 123.456 -1 }}'),
    ("math", '{{ round 1.2345 2 0.3 }}|{{ round 2.35 1 }}|{{ round "7.8" 0 }}|{{ round -0.5 0 }}|{{ round 1e6 2 }}'),
    ("math", '{{ seq }}|{{ seq 1 }}|{{ seq 0 }}|{{ seq -2 }}|{{ seq 2 5 }}|{{ seq 5 2 }}|{{ seq 1 3 10 }}|{{ seq 10 -3 1 }}|{{ seq 10 3 1 }}|{{ seq 1 2 3 4 }}'),
    ("math", '{{ $x := 5 }}{{ until $x }}|{{ untilStep 1 10 3 }}'),
    # conversion
    ("conversion", '{{ int "  5" }}|{{ int "-010" }}|{{ int "0b101" }}|{{ int "0o17" }}|{{ int "1_000" }}|{{ int "1.0" }}|{{ int "1.00" }}|{{ int "+3" }}'),
    ("conversion", '{{ int64 "9223372036854775807" }}|{{ int64 "9223372036854775808" }}|{{ int64 1e19 }}|{{ int -0.9 }}|{{ kindOf (int64 1) }}|{{ kindOf (int 1) }}'),
    ("conversion", '{{ int .Values.l }}|{{ int .Values.m }}|{{ int false }}|{{ int64 true }}'),
    ("conversion", '{{ atoi "  1" }}|{{ atoi "-5" }}|{{ atoi "+5" }}|{{ atoi "" }}|{{ atoi "0x10" }}|{{ kindOf (atoi "1") }}'),
    ("conversion", '{{ float64 "1e3" }}|{{ float64 "abc" }}|{{ float64 true }}|{{ float64 nil }}|{{ float64 "0x10" }}|{{ float64 "  1" }}|{{ float64 "1_0" }}|{{ float64 "inf" }}'),
    ("conversion", '{{ toDecimal 10 }}|{{ toDecimal "17" }}|{{ toDecimal "-7" }}|{{ toDecimal "8" }}|{{ toDecimal 1.5 }}|{{ kindOf (toDecimal "7") }}'),
    ("conversion", '{{ atoi 5 }}'),
    # defaults
    ("defaults", '{{ default "d" }}|{{ default "d" nil }}|{{ default "d" 0.0 }}|{{ default "d" "x" }}|{{ default "d" (list nil) }}|{{ default nil "" }}'),
    ("defaults", '{{ empty (list nil) }}|{{ empty (dict "a" nil) }}|{{ empty "0" }}|{{ empty 0.1 }}|{{ empty now }}'),
    ("defaults", '{{ coalesce }}|{{ coalesce 0 false "" }}|{{ coalesce (list) (dict "a" 1) }}|{{ all }}|{{ all 1 "a" }}|{{ all 1 "" }}|{{ any }}|{{ any 0 "" }}|{{ any 0 "x" }}'),
    ("defaults", '{{ ternary 1 2 false }}|{{ ternary nil "x" true }}|{{ false | ternary "a" "b" }}'),
    ("defaults", '{{ ternary "a" "b" "true" }}'),
    ("defaults", '{{ ternary "a" "b" .Values.n1 }}'),
    ("defaults", '{{ fail (printf "%s-%d" "x" 1) }}'),
    ("defaults", '{{ required "m" (list) }}|{{ required "m" (dict) }}|{{ required "m" 0.0 }}'),
    # reflection
    ("reflection", '{{ typeOf 1 }}|{{ typeOf 1.5 }}|{{ typeOf "s" }}|{{ typeOf true }}|{{ typeOf nil }}|{{ typeOf (int64 1) }}|{{ typeOf (semver "1.0.0") }}'),
    ("reflection", '{{ kindOf (semver "1.0.0") }}|{{ kindOf .Values.l }}|{{ kindOf "" }}|{{ kindOf true }}|{{ kindOf (list) }}'),
    ("reflection", '{{ typeIsLike "semver.Version" (semver "1.0.0") }}|{{ typeIsLike "string" "x" }}|{{ typeIs "int" 1 }}|{{ kindIs "ptr" (semver "1.0.0") }}'),
    ("reflection", '{{ deepEqual (dict "a" (list 1)) (dict "a" (list 1)) }}|{{ deepEqual (list) (list) }}|{{ deepEqual nil nil }}|{{ deepEqual (int64 1) 1 }}|{{ deepEqual .Values.m .Values.m }}|{{ deepEqual (splitList "," "a") (list "a") }}'),
    # regex
    ("regex", '{{ regexMatch "^\\\\d+$" "123" }}|{{ regexMatch "(?i)ABC" "xabcx" }}|{{ regexMatch "a|" "" }}'),
    ("regex", '{{ regexFindAll "a." "aXaYaZ" 2 }}|{{ regexFindAll "a." "aXaYaZ" 0 }}|{{ regexFindAll "z" "abc" -1 }}|{{ typeOf (regexFindAll "a" "a" -1) }}'),
    ("regex", '[{{ regexFind "z" "abc" }}]|{{ regexFind "(a)(b)?" "ab" }}|{{ regexFind "" "abc" }}'),
    ("regex", '{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "${last}, ${first}" }}|{{ regexReplaceAll "a" "banana" "$1" }}|{{ regexReplaceAll "(a)" "banana" "$1x" }}|{{ regexReplaceAll "(a)" "banana" "${1}x$$" }}'),
    ("regex", '{{ regexReplaceAll "" "abc" "-" }}|{{ regexReplaceAllLiteral "a+" "baaad" "$0" }}'),
    ("regex", '{{ regexReplaceAll "[" "x" "y" }}'),
    ("regex", '{{ regexMatch "[" "x" }}|{{ regexMatch "a**" "x" }}'),
    ("regex", '{{ regexSplit "," "a,b,c" 2 }}|{{ regexSplit "," "a,b,c" 0 }}|{{ regexSplit "" "abc" -1 }}|{{ regexSplit "x*" "axbc" -1 }}|{{ regexSplit "," "" -1 }}|{{ regexSplit "," ",a," -1 }}'),
    ("regex", '{{ regexQuoteMeta "1.5*[x]" }}'),
    ("regex", '{{ regexFind "[" "x" }}'),
    ("regex", '{{ regexFindAll "[" "x" -1 }}'),
    ("regex", '{{ regexSplit "[" "x" -1 }}'),
    ("regex", '{{ mustRegexMatch "(" "x" }}'),
    ("regex", '{{ mustRegexReplaceAll "a" "aa" "b" }}|{{ mustRegexFind "b+" "abbc" }}|{{ mustRegexFindAll "b" "abb" -1 }}|{{ mustRegexSplit "b" "abc" -1 }}|{{ mustRegexReplaceAllLiteral "b" "abc" "$1" }}'),
    ("regex", '{{ regexMatch "\\\\p{Greek}" "α" }}|{{ regexFind "[[:alpha:]]+" "12ab34" }}|{{ regexReplaceAll "(?m)^" "a\\nb" "> " }}'),
    # semver
    ("semver", '{{ semverCompare "1.2.3" "1.2.3" }}|{{ semverCompare "=1.2.3" "v1.2.3" }}|{{ semverCompare "!=1.2.3" "1.2.4" }}|{{ semverCompare "<1.2.3" "1.2.2" }}|{{ semverCompare "<=1.2" "1.2.9" }}'),
    ("semver", '{{ semverCompare ">1" "1.1.0" }}|{{ semverCompare ">1" "2.0.0" }}|{{ semverCompare ">1.1" "1.1.5" }}|{{ semverCompare ">1.1" "1.2.0" }}|{{ semverCompare ">1.1.1" "1.1.2" }}'),
    ("semver", '{{ semverCompare "~1.2.3" "1.2.9" }}|{{ semverCompare "~1.2.3" "1.3.0" }}|{{ semverCompare "~1" "1.9.0" }}|{{ semverCompare "~1.x" "2.0.0" }}|{{ semverCompare "~>1.2" "1.2.5" }}|{{ semverCompare "~0" "0.5.0" }}'),
    ("semver", '{{ semverCompare "^1.2.3" "1.9.9" }}|{{ semverCompare "^1.2.3" "2.0.0" }}|{{ semverCompare "^0.2.3" "0.2.9" }}|{{ semverCompare "^0.2.3" "0.3.0" }}|{{ semverCompare "^0.0.3" "0.0.4" }}|{{ semverCompare "^0" "0.9.0" }}|{{ semverCompare "^0.0" "0.0.9" }}'),
    ("semver", '{{ semverCompare "1.2.x" "1.2.7" }}|{{ semverCompare "1.x" "1.5.0" }}|{{ semverCompare "*" "5.0.0" }}|{{ semverCompare "1.2.*" "1.3.0" }}|{{ semverCompare "x" "0.0.1" }}'),
    ("semver", '{{ semverCompare ">= 1.2, < 2" "1.5.0" }}|{{ semverCompare ">=1.2 <2" "2.0.0" }}|{{ semverCompare "1.2 - 1.4.5" "1.4.5" }}|{{ semverCompare "1.2 - 1.4.5" "1.4.6" }}|{{ semverCompare "<1 || >=3" "3.1.0" }}|{{ semverCompare "<1 || >=3" "2.0.0" }}'),
    ("semver", '{{ semverCompare ">=1.0.0-alpha" "1.0.0-beta" }}|{{ semverCompare ">=1.0.0-beta" "1.0.0-alpha" }}|{{ semverCompare "<2.0.0" "1.9.0-rc.1" }}|{{ semverCompare ">=1.20.0-0" "1.20.0" }}|{{ semverCompare "^1.0.0-0" "1.5.0-beta" }}'),
    ("semver", '{{ semverCompare ">=1.0.0-rc.2" "1.0.0-rc.10" }}|{{ semverCompare ">1.0.0-alpha.1" "1.0.0-alpha.beta" }}|{{ semverCompare "=1.0.0+build" "1.0.0" }}'),
    ("semver", '{{ semverCompare "bad" "1.0.0" }}'),
    ("semver", '{{ semverCompare "" "1.0.0" }}'),
    ("semver", '{{ semverCompare "1.0.0" "bad" }}'),
    ("semver", '{{ $v := semver "v1.2" }}{{ $v }}|{{ $v.Original }}|{{ $v.Major }}|{{ kindOf $v.Major }}|[{{ $v.Prerelease }}]|{{ (semver "1.0.0").LessThan (semver "1.0.1") }}|{{ (semver "2.0.0").Compare (semver "1.0.0") }}'),
    ("semver", '{{ semver "1.2.3-01" }}'),
    ("semver", '{{ semver "1.2.3.4" }}'),
    # encoding
    ("encoding", '{{ b64enc "" }}|{{ b64enc "é" }}|{{ b64dec "" }}|{{ b64dec "YQ" }}|{{ b64dec "YQ==" }}|{{ b64dec "YQ=" }}|{{ b64dec "Y\\nQ==" }}'),
    ("encoding", '{{ b64dec "YWJj=" }}|{{ b64dec "=" }}|{{ b64dec "YW Jj" }}|{{ b64dec "YWJjZA==YQ==" }}'),
    ("encoding", '{{ b32enc "" }}|{{ b32enc "hello world" }}|{{ b32dec "NBSWY3DP" }}|{{ b32dec "nbswy3dp" }}|{{ b32dec "NBSWY3D" }}|{{ b32dec "NB======" }}'),
    ("encoding", '{{ sha1sum "" }}|{{ sha256sum "" }}|{{ adler32sum "" }}|{{ adler32sum "Wikipedia" }}|{{ sha512sum "" | trunc 20 }}'),
    ("encoding", '{{ toJson 1.5 }}|{{ toJson "a\\tb\\u2028" }}|{{ toJson (list) }}|{{ toJson (dict) }}|{{ toJson true }}|{{ toJson 1e-7 }}|{{ toJson .Values.n8 }}|{{ toJson (int64 5) }}'),
    ("encoding", '{{ toPrettyJson (list) }}|{{ toPrettyJson (list 1 (dict "a" (list))) }}|{{ toPrettyJson "x" }}|{{ toRawJson (dict "h" "<&>") }}'),
    ("encoding", '{{ mustToPrettyJson (dict "a" 1) }}|{{ mustToRawJson (list "<") }}'),
    ("encoding", '{{ fromJson "" }}|{{ fromJson "null" }}|{{ fromJson "{\\"a\\":" }}|{{ fromJson "{\\"a\\":1,}" }}|{{ fromJson "1" }}|{{ fromJson "\\"s\\"" }}'),
    ("encoding", '{{ fromJson "{\\"a\\":[1,{\\"b\\":null}],\\"c\\":\\"\\\\u00e9\\"}" }}|{{ fromJsonArray "" }}|{{ fromJsonArray "null" }}|{{ fromJsonArray "{}" }}|{{ fromJsonArray "[1,]" }}'),
    ("encoding", '{{ fromJson "{\\"a\\": tru}" }}|{{ fromJson "{\\"a\\" 1}" }}|{{ fromJson "[1 2]" }}|{{ fromJson "{} x" }}'),
    ("encoding", '{{ (mustFromJson "[1,2]") }}|{{ mustFromJson "{\\"a\\":1}" }}'),
    # yaml
    ("yaml", '{{ toYaml (dict "a" (list 1 (list 2 3) (dict "b" (list)))) }}'),
    ("yaml", '{{ toYaml (list (list 1 2) (list) (dict)) }}'),
    ("yaml", '{{ toYaml (dict "nested" (dict "deeper" (dict "list" (list "a" (dict "k" "v" "k2" (list 1)))))) }}'),
    ("yaml", '{{ toYaml (list "#x" "x#y" "x #y" "&a" "*a" "!t" "|x" ">x" "%x" "@x" "`x" "[x" "x]" "{x" "x,y" "?x" "? x" ":x" "x:" "x: y" "- x" "-" "--- x" "... x" "\'x" "\\"x") }}'),
    ("yaml", '{{ toYaml (list " x" "x " "a\\tb" "é" "a\\u00a0b" "\\u0001" "line\\n" "\\nlead" "a\\n\\nb" "a\\n " "x\\r\\ny") }}'),
    ("yaml", '{{ toYaml (list "Yes" "NO" "Off" "y" "N" "TRUE" "False" "Null" "NULL" ".inf" "-.Inf" ".NaN" "+1" "-1" "0b101" "0o17" "1_000" ".5" "5." "1e5" "1:30" "12:30:45" "0x" "1.2.3" "2001-12-14t21:59:43.10-05:00" "2002-12-14") }}'),
    ("yaml", '{{ toYaml (dict "yes" 1 "on" 2 "1" 3 "a b" 4 "a: b" 5 "" 6 "-" 7 "null" 8 "x\\ny" 9) }}'),
    ("yaml", '{{ toYaml (dict "s" (repeat 100 "x")) }}'),
    ("yaml", '{{ toYaml (dict "s" (cat (repeat 50 "ab ") "end")) }}'),
    ("yaml", '{{ toYaml (list (cat (repeat 30 "word") "x: y")) }}'),
    ("yaml", '{{ toYaml (dict "a" (dict "b" (dict "c" (cat (repeat 40 "xy ") "z")))) }}'),
    ("yaml", '{{ toYaml (dict "d" (cat (repeat 30 "qq") "\\"quoted\\" " (repeat 30 "tail "))) }}'),
    ("yaml", '{{ toYaml (list 1.0 0.1 -0.0 100000000.0 1e-7 1.5e300 (int64 -3) 123456789012) }}'),
    ("yaml", '{{ toYaml .Values.html }}|{{ toYaml .Values.multi }}|{{ toYaml "" }}|{{ toYaml nil }}|{{ toYaml true }}|{{ toYaml (list nil) }}'),
    ("yaml", '{{ toYaml (dict "m" (dict "x" "line1\\nline2" "y" "  indented\\ntext\\n" "z" "keep\\n\\n")) }}'),
    ("yaml", '{{ toYaml (list "a\\nb" (list "c\\nd")) }}'),
    ("yaml", '{{ toYamlPretty (dict "a" (list 1 (list 2 3)) "b" (dict "c" (list (dict "d" 1))) "e" (list) "f" (dict)) }}'),
    ("yaml", '{{ toYamlPretty (list "yes" "1.0" "010" "x: y" "" "a\\nb" "1e3" "0x1F" "2024-01-01" "~") }}'),
    ("yaml", '{{ toYamlPretty "s" }}|{{ toYamlPretty nil }}|{{ toYamlPretty 1e21 }}|{{ toYamlPretty (int64 3) }}|{{ toYamlPretty .Values.n1 }}'),
    ("yaml", '{{ mustToYaml (dict "a" 1) }}'),
    ("yaml", '{{ fromYaml "" }}|{{ fromYaml "~" }}|{{ fromYaml "a" }}|{{ fromYaml "a:" }}|{{ fromYaml "a: ~" }}|{{ kindOf (fromYaml "a: ~").a }}'),
    ("yaml", '{{ $y := fromYaml "a: 1.5\\nb: -0x10\\nc: 0o10\\nd: 1e3\\ne: .inf" }}{{ $y }}'),
    ("yaml", '{{ $y := fromYaml "a: 1.5\\nb: -0x10\\nc: 0o10\\nd: 1e3\\ne: \\"x\\"" }}{{ $y }}|{{ kindOf $y.b }}'),
    ("yaml", '{{ fromYaml "a: &x [1, 2]\\nb: *x" }}|{{ fromYaml "a: !!str 010\\nb: \'010\'\\nc: \\"yes\\"" }}'),
    ("yaml", '{{ fromYaml "a: 1\\na: 2" }}'),
    ("yaml", '{{ fromYaml "base: &b\\n  x: 1\\n  y: 2\\nd:\\n  <<: *b\\n  y: 3" }}'),
    ("yaml", '{{ fromYaml "t: 2001-12-14t21:59:43.10-05:00\\nd: 2002-12-14\\nb60: 1:30:00" }}'),
    ("yaml", '{{ fromYaml "a: |\\n  x\\n  y\\nb: >\\n  p\\n  q\\nc: \'it\'\'s\'" | toJson }}'),
    ("yaml", '{{ fromYaml "k: [a, {b: c}]\\nn: {x: [1, 2]}" | toJson }}|{{ fromYaml "1.5: a\\ntrue: b\\n~: c" }}'),
    ("yaml", '{{ fromYaml "a: b: c" }}'),
    ("yaml", '{{ fromYaml "a:\\n- 1\\n - 2" }}'),
    ("yaml", '{{ fromYaml "---\\na: 1\\n---\\nb: 2" }}|{{ fromYamlArray "" }}|{{ fromYamlArray "- [1, 2]\\n- {a: 1}" }}|{{ fromYamlArray "[" }}'),
    ("yaml", '{{ fromYaml "key: \\"\\\\u00e9\\\\t\\\\x41\\"" | toJson }}|{{ fromYaml "big: 12345678901234567890\\nneg: -9223372036854775809" }}'),
    # toml
    ("toml", '{{ toToml (dict "s" "a\\"b\\\\c\\nd" "i" 1 "f" 2.5 "b" true "l" (list 1 2) "e" (list)) }}'),
    ("toml", '{{ toToml (dict "t" (dict "u" (dict "v" 1)) "a" 0) }}'),
    ("toml", '{{ toToml (dict "arr" (list (dict "x" 1) (dict "x" 2)) "k" "v") }}'),
    ("toml", '{{ toToml (dict "a b" 1 "é" 2 "x.y" 3) }}'),
    ("toml", '{{ toToml "x" }}|{{ toToml (list 1) }}'),
    ("toml", '{{ toToml (dict "n" nil "m" 1) }}|{{ toToml (dict) }}|{{ toToml (dict "f" 1e21 "g" 0.000001 "h" -0.0) }}'),
    ("toml", '{{ $t := fromToml "[a]\\nb = [1, 2.5, \\"x\\"]\\nc = true\\n[a.d]\\ne = 1" }}{{ $t }}|{{ kindOf $t.a.d.e }}|{{ fromToml "" }}'),
    ("toml", '{{ fromToml "a = " | keys }}'),
    # paths and urls
    ("paths", '{{ base "/" }}|{{ base "a/" }}|{{ base "//a//" }}|{{ dir "/a" }}|{{ dir "" }}|{{ dir "a/b/" }}|{{ ext "a.tar.gz" }}|{{ ext "a/.b" }}|{{ ext "a.b/c" }}'),
    ("paths", '{{ clean "" }}|{{ clean "/" }}|{{ clean "a/./b/.." }}|{{ clean "//a" }}|{{ clean "a/../.." }}|{{ isAbs "a" }}|{{ isAbs "" }}'),
    ("paths", '{{ osBase "a/b" }}|{{ osDir "a/b" }}|{{ osExt "a.b" }}|{{ osClean "a//b" }}|{{ osIsAbs "/a" }}'),
    ("urls", '{{ urlParse "http://example.com" }}|{{ urlParse "mailto:a@b.c" }}|{{ urlParse "/path?x=1#f" }}'),
    ("urls", '{{ urlParse "https://[::1]:8443/a%20b?q=%20#frag%21" }}|{{ (urlParse "HTTP://h").scheme }}'),
    ("urls", '{{ urlJoin (dict "host" "h") }}|{{ urlJoin (dict "scheme" "http" "path" "a b" "query" "x=1 2" "fragment" "f g") }}|{{ urlJoin (dict "scheme" "mailto" "opaque" "a@b") }}|{{ urlJoin (dict "scheme" "https" "host" "h" "userinfo" "u:p") }}|{{ urlJoin (dict) }}'),
    ("urls", '{{ urlJoin (dict "scheme" "http" "host" "h" "path" "rel") }}|{{ urlJoin (dict "path" "/a?b") }}'),
    # dates (deterministic)
    ("dates", '{{ $t := toDate "2006-01-02 15:04:05" "2024-07-04 09:05:03" }}{{ date "Jan 2, 2006 at 3:04pm (MST)" $t }}|{{ date "Monday January _2 03 PM" $t }}|{{ date "06 1 2 3 4 5 002" $t }}'),
    ("dates", '{{ $t := toDate "2006-01-02T15:04:05.000Z07:00" "2024-07-04T09:05:03.120+02:00" }}{{ $t }}|{{ unixEpoch $t }}|{{ date "15:04:05.000 .999 -0700 Z07:00" $t }}|{{ $t.UTC }}'),
    ("dates", '{{ toDate "2006-01-02" "2024-13-01" }}|{{ toDate "2006-01-02" "nope" }}|{{ toDate "02/01/2006" "31/12/1999" }}'),
    ("dates", '{{ mustToDate "2006-01-02" "x" }}'),
    ("dates", '{{ date "2006" 0 }}|{{ date "2006-01-02" (int64 86400) }}|{{ htmlDate 0 }}|{{ htmlDateInZone 0 "UTC" }}|{{ dateInZone "2006-01-02 15:04 MST" 3600 "UTC" }}|{{ dateInZone "15:04" 0 "Nowhere/Zone" }}'),
    ("dates", '{{ $t := toDate "2006-01-02" "2024-01-31" }}{{ dateModify "24h" $t }}|{{ dateModify "-1h30m" $t }}|{{ dateModify "bad" $t }}|{{ date_modify "1.5h" $t }}|{{ mustDateModify "2h" $t }}'),
    ("dates", '{{ mustDateModify "bad" (toDate "2006-01-02" "2024-01-31") }}'),
    ("dates", '{{ duration 0 }}|{{ duration (int64 -61) }}|{{ duration "86400" }}|{{ duration "x" }}|{{ duration "1.5" }}|{{ duration (int64 31536000) }}'),
    ("dates", '{{ durationRound "" }}|{{ durationRound "1s" }}|{{ durationRound "61s" }}|{{ durationRound "-3h" }}|{{ durationRound "49h" }}|{{ durationRound "800h" }}|{{ durationRound "9000h" }}|{{ durationRound (int64 5000000000) }}|{{ durationRound 5 }}|{{ durationRound "1h30m15s" }}'),
    ("dates", '{{ (toDate "2006-01-02" "2024-03-01").Year }}|{{ (toDate "2006-01-02" "2024-03-01").Month }}|{{ (toDate "2006-01-02" "2024-03-01").Weekday }}|{{ (toDate "2006-01-02" "2024-03-01").YearDay }}|{{ (toDate "2006-01-02" "2024-03-01").Format "2006/01/02" }}'),
    ("dates", '{{ toJson (toDate "2006-01-02" "2024-03-01") }}|{{ toYaml (dict "t" (toDate "2006-01-02" "2024-03-01")) }}'),
    # crypto (deterministic ones)
    ("crypto", '{{ derivePassword 1 "long" "password" "user" "example.com" }}|{{ derivePassword 2 "maximum" "pw" "name" "site" }}|{{ derivePassword 1 "medium" "a" "b" "c" }}'),
    ("crypto", '{{ derivePassword 3 "short" "pw" "name" "site" }}|{{ derivePassword 1 "basic" "pw" "name" "site" }}|{{ derivePassword 1 "pin" "pw" "name" "site" }}'),
    ("crypto", '{{ derivePassword 1 "nope" "pw" "name" "site" }}'),
    ("crypto", '{{ len (encryptAES "k" "") }}|{{ encryptAES "k" "abcdefghijklmnopq" | decryptAES "k" }}|{{ encryptAES "" "x" | decryptAES "" }}'),
    ("crypto", '{{ decryptAES "k" "bad!" }}'),
    ("crypto", '{{ $k := genPrivateKey "rsa" }}{{ $k | trunc 31 }}|{{ genPrivateKey "ecdsa" | trunc 30 }}|{{ genPrivateKey "ed25519" | trunc 27 }}|{{ genPrivateKey "dsa" | trunc 27 }}|[{{ genPrivateKey "x" }}]'),
    ("crypto", '{{ $ca := genCA "ca" 3 }}{{ $ca.Key | trunc 31 }}|{{ typeOf $ca }}|{{ kindOf $ca }}|{{ $c := genSignedCert "x" (list "10.0.0.1") (list "a.b") 3 $ca }}{{ $c.Cert | trunc 27 }}|{{ $s := genSelfSignedCert "x" nil nil 3 }}{{ $s.Key | trunc 31 }}'),
    ("crypto", '{{ htpasswd "user" "pw" | len }}|{{ htpasswd "u:x" "p" | trunc 8 }}|{{ bcrypt "x" | len }}|{{ bcrypt "x" | trunc 4 }}'),
    ("crypto", '{{ len (randBytes 3) }}|{{ randBytes 3 | b64dec | len }}|{{ len (randAlpha 5) }}|{{ len (randNumeric 0) }}|{{ len (randAscii 7) }}|{{ regexMatch "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" uuidv4 }}'),
    ("crypto", '{{ $r := randInt 5 6 }}{{ $r }}|{{ kindOf (randInt 1 2) }}'),
    # helm functions
    ("helm", '{{ include "t.name" 1.5 }}|{{ include "t.name" nil }}|{{ kindOf (include "t.name" "x") }}|{{ tpl "{{ . }}" "x" }}|{{ tpl "" . }}|{{ tpl "{{ .nope }}" (dict) }}'),
    ("helm", '{{ tpl "{{ fail \\"inner\\" }}" . }}'),
    ("helm", '{{ tpl "{{ if }}" . }}'),
    ("helm", '{{ required "must" "x" }}|{{ required "m" (list 1) }}'),
    ("helm", '{{ lookup "v1" "ConfigMap" "ns" "" }}|{{ lookup "apps/v1" "Deployment" "" "" | len }}'),
    ("helm", '{{ getHostByName "example.com" | quote }}'),
    ("helm", '{{ toJson .Values.m | fromJson | toYaml }}|{{ .Values.users | toYaml | fromYamlArray | len }}'),
    # typed parameters
    ("types", '{{ trunc "3" "abc" }}'),
    ("types", '{{ repeat 2 3 }}'),
    ("types", '{{ indent 2 nil }}'),
    ("types", '{{ int64 3 | trunc 1 }}'),
    ("types", '{{ dict "a" 1 | get "a" }}'),
    ("types", '{{ hasKey .Values.l "a" }}'),
    ("types", '{{ split 1 "a1b" }}'),
    ("types", '{{ upper }}'),
    ("types", '{{ upper "a" "b" }}'),
    ("types", '{{ contains "a" 1 }}'),
    ("types", '{{ b64enc 1 }}'),
    ("types", '{{ set .Values.l "a" 1 }}'),
    ("types", '{{ regexMatch 1 "x" }}'),
    ("types", '{{ semverCompare ">1" 2 }}'),
    ("types", '{{ date "2006" "x" }}|{{ len (date "2006" nil) }}'),
    ("types", '{{ unixEpoch 5 }}'),
    ("types", '{{ keys (list) }}'),
    ("types", '{{ pluck "a" (list) }}'),
    ("types", '{{ merge (dict) "x" }}'),
    ("types", '{{ toDate 1 "x" }}'),
    ("types", '{{ wrap -1 "a b c" }}|{{ abbrev -5 "abc" }}|{{ randAlphaNum 0 }}.'),
]

# toYaml/toYamlPretty over generated documents (fixed seed), embedded with fromJson.
def _yaml_docs():
    import random
    rnd = random.Random(4)
    words = ["a", "yes", "No", "010", "1e3", "x: y", "- z", "#c", "a #b", "tab\there", "é", "",
             " lead", "trail ", "multi\nline", "multi\nline\n", "ends\n\n", "{x}", "[1]", "@at",
             "true", "~", "null", "0x1F", "1.5", "-", "a'b", 'q"q', "back\\slash", "2024-01-01",
             "http://h:80/p?q=1", "key=value", "*star", "&amp", "!bang", "%pct", "`tick",
             "word " * 20, ("long" * 30) + " tail", "snow\u2603man"]
    def val(d):
        r = rnd.random()
        if d > 2 or r < 0.45:
            c = rnd.random()
            if c < 0.6:
                return rnd.choice(words)
            if c < 0.75:
                return rnd.choice([0, 1, -3, 1.5, 1e6, 123456789, 1e21, 0.0001, 2.0, -0.5])
            if c < 0.85:
                return rnd.choice([True, False, None])
            return rnd.choice([[], {}])
        if r < 0.75:
            return {rnd.choice(words) or "k": val(d + 1) for _ in range(rnd.randint(1, 4))}
        return [val(d + 1) for _ in range(rnd.randint(1, 4))]
    out = []
    for i in range(40):
        doc = {"root": val(0), "list": [val(1), val(2)]}
        text = json.dumps(doc, ensure_ascii=False)
        lit = text.replace("\\", "\\\\").replace('"', '\\"')
        fn = "toYamlPretty" if i % 4 == 3 else "toYaml"
        out.append(("yamldoc", '{{ fromJson "%s" | %s }}' % (lit, fn)))
    return out


CASES += _yaml_docs()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", default=os.path.join(SHARED, "tools", "helm_oracle.py"))
    ap.add_argument("--gotchas", default=os.path.join(SHARED, "docs", "helm-gotchas-observed.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "crates", "helm", "tests", "fixtures", "func-cases.json"))
    args = ap.parse_args()
    with open(args.gotchas) as fh:
        gotchas = json.load(fh)
    values = gotchas["default_values"]
    helpers = gotchas["helpers"]
    seen = {}
    batch = []
    for group, tpl in CASES:
        n = seen.get(group, 0) + 1
        seen[group] = n
        batch.append({"id": f"{group}-{n:02d}", "group": group, "template": tpl,
                      "values": values, "helpers": helpers})
    results = eval_batch(args.oracle, batch)
    cases = [{"id": c["id"], "group": c["group"], "template": c["template"], **outcome(results[c["id"]])}
             for c in batch]
    out = {
        "about": "Sprig/Helm function cases rendered by the real Helm 4.2.3 engine "
                 "(scripts/gen-helm-func-cases.py via helm_oracle.py eval-batch). Same chart "
                 "layout, values and helpers as helm-gotchas-observed.json; each template is "
                 "rendered as oracle/templates/t0000.txt. Outputs of random functions are "
                 "reduced to shapes by the templates themselves.",
        "chart": gotchas["chart"],
        "default_values": values,
        "helpers": helpers,
        "files": {},
        "cases": cases,
    }
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(f"{len(cases)} cases -> {args.out} "
          f"({sum('error' in c for c in cases)} errors)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
