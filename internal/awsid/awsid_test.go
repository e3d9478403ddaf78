package awsid

import "testing"

func TestIDsCarryTheirAccount(t *testing.T) {
	for _, acct := range []string{"000000000000", "000000000001", "123456789012", "999999999999"} {
		for _, id := range []string{New("AKIA", acct), NewUnique("AROA", acct), Stable("ANPA", acct, "seed")} {
			got, ok := Account(id)
			if !ok || got != acct {
				t.Fatalf("Account(%s) = %q %v, want %s", id, got, ok, acct)
			}
		}
	}
	if Stable("ANPA", "0", "x") != Stable("ANPA", "0", "x") || Stable("ANPA", "0", "x") == Stable("ANPA", "0", "y") {
		t.Fatal("Stable must depend on its seed only")
	}
	// AWS's documentation example key carries an account too.
	if _, ok := Account("AKIAIOSFODNN7EXAMPLE"); !ok {
		t.Fatal("AWS's example key not read")
	}
	for _, bad := range []string{"", "test", "AKIA", "AKIAIOSFODNN7EXAMPL!", "111111111111"} {
		if _, ok := Account(bad); ok {
			t.Fatalf("Account(%q) accepted", bad)
		}
	}
}

func TestIsAccount(t *testing.T) {
	for s, want := range map[string]bool{"000000000000": true, "123456789012": true, "12345678901": false, "12345678901a": false, "": false} {
		if IsAccount(s) != want {
			t.Fatalf("IsAccount(%q) != %v", s, want)
		}
	}
	if len(NewSecret()) != 40 {
		t.Fatal("secret length")
	}
}
