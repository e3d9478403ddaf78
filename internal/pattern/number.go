package pattern

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Numbers are compared as fixed-point integers in millionths, as AWS's
// matching engine does: numeric matching covers -5.0e9 to +5.0e9 inclusive
// with six digits after the decimal point. A value outside that domain is
// not comparable: it can still match an identical number literal exactly,
// but never a numeric range.
const (
	microUnits  = 1_000_000
	maxMicro    = 5_000_000_000 * microUnits
	maxDecimals = 6
)

// decimal is an exact decimal value digits × 10^exp with no trailing zeros
// in digits (digits is "0" for zero).
type decimal struct {
	neg    bool
	digits string
	exp    int
}

// parseDecimal parses a JSON number literal exactly.
func parseDecimal(text string) (decimal, bool) {
	var d decimal
	s := text
	if strings.HasPrefix(s, "-") {
		d.neg = true
		s = s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil {
			// Exponents beyond int range are clamped; such values are far
			// outside the comparable domain either way.
			if strings.HasPrefix(expPart, "-") {
				e = -1 << 40
			} else {
				e = 1 << 40
			}
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return d, false
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	if trimmed == "" {
		return decimal{digits: "0"}, true
	}
	d.digits, d.exp = trimmed, exp
	return d, true
}

// scale is the number of digits after the decimal point (Java's
// BigDecimal.scale after stripTrailingZeros).
func (d decimal) scale() int { return -d.exp }

// micro converts to millionths; ok is false if the value does not fit in an
// int64 (Java's longValueExact overflow).
func (d decimal) micro() (int64, bool) {
	if d.digits == "0" {
		return 0, true
	}
	shift := d.exp + maxDecimals
	if shift < 0 || len(d.digits)+shift > 19 {
		return 0, false
	}
	n, err := strconv.ParseUint(d.digits+strings.Repeat("0", shift), 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0, false
	}
	if d.neg {
		return -int64(n), true
	}
	return int64(n), true
}

// comparableNumber returns the fixed-point form of a number literal if it lies in
// the comparable domain.
func comparableNumber(text string) (int64, bool) {
	d, ok := parseDecimal(text)
	if !ok || d.scale() > maxDecimals {
		return 0, false
	}
	m, ok := d.micro()
	if !ok || m < -maxMicro || m > maxMicro {
		return 0, false
	}
	return m, true
}

// errOverflow marks a pattern number too large for a 64-bit fixed-point
// value; AWS reports it without a location.
type errOverflow struct{}

func (errOverflow) Error() string { return "Overflow" }

// patternNumber converts a number in a numeric or anything-but expression,
// reporting AWS's reasons for numbers it cannot compare.
func patternNumber(text string) (int64, error) {
	d, ok := parseDecimal(text)
	if !ok {
		return 0, &reasonError{"Value of numeric must be numeric"}
	}
	if d.scale() > maxDecimals {
		return 0, &reasonError{"Only values upto 6 decimals are supported" + d.javaString() + " " + text + " " + javaHex(d.roundedFloat())}
	}
	m, ok := d.micro()
	if !ok {
		return 0, errOverflow{}
	}
	if m < -maxMicro || m > maxMicro {
		return 0, &reasonError{"Value must be between -5.0E9 and 5.0E9, inclusive"}
	}
	return m, nil
}

// reasonError is a rejection reason raised below the tokenizer; the
// compiler attaches the location.
type reasonError struct{ reason string }

func (e *reasonError) Error() string { return e.reason }

// javaString renders the value like Java's BigDecimal.toString.
func (d decimal) javaString() string {
	sign := ""
	if d.neg {
		sign = "-"
	}
	scale := d.scale()
	adjusted := -scale + len(d.digits) - 1
	if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			return sign + d.digits
		}
		if len(d.digits) > scale {
			return sign + d.digits[:len(d.digits)-scale] + "." + d.digits[len(d.digits)-scale:]
		}
		return sign + "0." + strings.Repeat("0", scale-len(d.digits)) + d.digits
	}
	s := sign + d.digits[:1]
	if len(d.digits) > 1 {
		s += "." + d.digits[1:]
	}
	s += "E"
	if adjusted >= 0 {
		s += "+"
	}
	return s + strconv.Itoa(adjusted)
}

// roundedFloat rounds to six decimals, half away from zero, as a float64.
func (d decimal) roundedFloat() float64 {
	r := new(big.Rat)
	if _, ok := r.SetString(d.javaPlain()); !ok {
		return 0
	}
	r.Mul(r, big.NewRat(microUnits, 1))
	num, den := new(big.Int).Abs(r.Num()), r.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Mul(rem, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	f, _ := new(big.Rat).SetFrac(q, big.NewInt(microUnits)).Float64()
	if d.neg {
		f = -f
	}
	return f
}

func (d decimal) javaPlain() string {
	if d.exp >= 0 {
		return d.digits + strings.Repeat("0", min(d.exp, 400))
	}
	if len(d.digits) > -d.exp {
		return d.digits[:len(d.digits)+d.exp] + "." + d.digits[len(d.digits)+d.exp:]
	}
	return "0." + strings.Repeat("0", -d.exp-len(d.digits)) + d.digits
}

// javaHex renders a float64 like Java's Double.toHexString.
func javaHex(f float64) string {
	bits := math.Float64bits(f)
	sign := ""
	if bits>>63 != 0 {
		sign = "-"
	}
	exp := int(bits>>52) & 0x7ff
	mant := bits & (1<<52 - 1)
	if exp == 0 && mant == 0 {
		return sign + "0x0.0p0"
	}
	hex := strings.TrimRight(fmt.Sprintf("%013x", mant), "0")
	if hex == "" {
		hex = "0"
	}
	if exp == 0 {
		return sign + "0x0." + hex + "p-1022"
	}
	return sign + "0x1." + hex + "p" + strconv.Itoa(exp-1023)
}
