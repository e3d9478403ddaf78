// Package pattern is Overcast's event pattern engine, shared by Amazon
// EventBridge event patterns and Amazon SNS subscription filter policies:
// one compiler with two front-ends, and one matcher that evaluates many
// patterns at once.
//
// # API
//
//	p, err := pattern.ParseEventPattern(doc)                        // EventBridge
//	p, err := pattern.ParseFilterPolicy(doc, pattern.ScopeMessageBody) // SNS
//	ok, err := p.Matches(event)          // one pattern (TestEventPattern)
//	ok := p.MatchesAttributes(attrs)     // one SNS policy, MessageAttributes scope
//
//	m := pattern.NewMatcher[RuleID]()    // one per bus or topic
//	m.Add(id, p); m.Remove(id)
//	ids, err := m.Match(event, ids[:0])  // every matching key, each once
//	ids = m.MatchAttributes(attrs, ids[:0])
//
// Rejected documents return an *Error. Its Message is the text AWS sends:
// "Event pattern is not valid. Reason: ..." for EventBridge's
// InvalidEventPatternException, "Invalid parameter: FilterPolicy: ..." for
// SNS's InvalidParameter (SubscribeMessage gives the wording of a Subscribe
// call). Reasons raised while reading the document end with the location
// AWS's Jackson-based parser reports ("\n at [Source: (String)"..."; line:
// 1, column: 12]"); Overcast reproduces Jackson's positions, including its
// habit of reading a field name together with the first character of its
// value.
//
// # Semantics
//
// A pattern is a JSON object whose leaves are arrays of alternatives. An
// event matches when every field of the pattern matches (AND) and a field
// matches when any alternative matches any of the event's values at that
// path (OR). Nested objects and dotted keys name the same path ("a.b").
// An event array contributes each element as a value of its path; values
// taken from different elements of one array never combine to satisfy two
// fields of one rule. "$or" (an array of at least two objects) splits a
// pattern into rules, one per combination of branches. When a key repeats,
// its last occurrence wins.
//
// Alternatives:
//   - exact strings, numbers, true, false and null. Numbers match
//     numerically (3e2 equals 300) within -5.0e9..5.0e9 with six decimals,
//     and any number matches an identical literal. A string that is an IP
//     address matches the same address written differently.
//   - prefix, suffix (each also {"equals-ignore-case": s}),
//     equals-ignore-case and wildcard ('*' matches any run, "\*" and "\\"
//     escape): strings only.
//   - numeric with "=", "<", "<=", ">", ">=", or a lower and an upper bound:
//     numbers only.
//   - cidr: IPv4 and IPv6 strings. As in AWS, the range starts at the
//     address as written, and /32 (IPv4) and /128 (IPv6) are rejected.
//   - exists: true when the path has a value (null counts; an object or an
//     empty array does not), false when it has none.
//   - anything-but: a value, a list of strings or a list of numbers, or
//     {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": string or list}.
//     It needs the field to be present and matches any value, of any type,
//     that the operand does not match.
//
// SNS differences: no wildcard; no {"equals-ignore-case"} inside prefix or
// suffix; anything-but takes only {"prefix": ...} as an object (and words
// a non-string operand "prefix match pattern must be a string"). Filter
// policies allow at most five top-level keys and 150 combinations (each
// value array multiplies by its length times its nesting depth, "$or" sums
// its branches), and the MessageAttributes scope rejects nesting. In that
// scope String attributes are strings, Number attributes numbers, each
// element of a String.Array attribute a value, and Binary attributes are
// ignored. A MessageBody that is not a JSON object has no values.
//
// # Matching many patterns
//
// A Matcher follows the design of AWS's event-ruler: patterns are compiled
// into one state machine whose transitions test one field each, and rules
// with the same leading steps share states, so the cost of matching an
// event depends on the event and on what it matches rather than on how many
// rules there are. Unlike event-ruler, which steps through fields in name
// order, Overcast orders each rule's steps by selectivity (exact values
// first, exists:false last) and looks fields up in the flattened event
// directly. Each state's per-field index answers a value with hash lookups
// (exact, case-folded, IP), one probe per distinct operand length
// (prefix/suffix), an interval tree (numeric), and direct tests for the few
// operators that cannot be indexed (wildcard, cidr, anything-but). The
// event is parsed once and only the paths some pattern names are kept.
//
// # Known gaps
//
//   - AWS rejects wildcard patterns that are "too complex". Overcast uses
//     the measure of AWS's event-ruler (how many prefixes of a field's
//     wildcard operands one value can match at once) with a bound of 9,
//     which is consistent with the patterns AWS accepts and rejects but
//     not published by AWS.
//   - A pattern whose "$or" branches expand to more than 1024 rules is
//     rejected with an Overcast reason; AWS's own limit is undocumented.
//   - Case-insensitive comparisons use Unicode simple case folding.
package pattern
