// Package logfilter compiles and evaluates CloudWatch Logs filter patterns, the syntax
// FilterLogEvents, metric filters and subscription filters share ("Filter pattern syntax
// for metric filters, subscription filters, filter log events, and Live Tail" in the
// Amazon CloudWatch Logs User Guide).
//
//	p, err := logfilter.Compile(`{ $.level = "ERROR" && $.latency > 500 }`)
//	ok := p.Match(message)
//
// A pattern takes one of three forms, chosen by its first character:
//
//   - Terms (anything else). Every plain term must occur in the message, no term
//     prefixed with '-' may occur, and when terms are prefixed with '?' at least one of
//     them must occur. Matching is by case-sensitive substring. A term made of anything
//     other than letters, digits and '_' must be double-quoted ("Failed to process");
//     %regex% is a regular-expression term. An empty pattern, and a pattern that is one
//     quoted phrase of blanks (" "), match every message.
//   - JSON ('{ ... }'). The message must be a JSON document. Conditions compare a
//     selector ($.a.b, $.list[0], $.grid[1][2]) with = and != (strings, with a leading
//     or trailing '*' wildcard, numbers, %regex%), with <, >, <=, >= (numbers), or test
//     IS NULL, IS TRUE, IS FALSE, EXISTS and NOT EXISTS. Conditions combine with &&, ||
//     and parentheses; && binds tighter. A comparison whose selector does not lead to a
//     string, number or boolean is false, whatever the operator.
//   - Space-delimited ('[ ... ]'). The message is split into fields at blanks; text
//     between double quotes or square brackets is one field. The pattern names the
//     fields in order, "..." stands for any number of fields, and a field may carry
//     conditions on itself (status = 4*, bytes > 1000, w1 = ERROR || w1 = WARN,
//     w1 != ERROR && w1 != WARN). Without "..." the field counts must agree.
//
// Compile answers a pattern it cannot read with a *SyntaxError whose Error is the
// message CloudWatch Logs sends with its InvalidParameterException.
package logfilter
