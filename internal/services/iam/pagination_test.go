package iam

import (
	"slices"
	"testing"

	"github.com/overcast/overcast/internal/awsid"
)

func TestPage(t *testing.T) {
	t.Parallel()
	items := []string{"e", "b", "d", "a", "c"}
	id := func(s string) string { return s }
	var got []string
	var marker *string
	for pages := 0; ; pages++ {
		pg, truncated, next, err := page(slices.Clone(items), id, marker, ptr(int32(2)))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, pg...)
		if !truncated {
			if next != nil {
				t.Fatalf("last page has a marker %q", *next)
			}
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		if next == nil {
			t.Fatal("truncated page without a marker")
		}
		marker = next
	}
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}

	all, truncated, next, err := page(slices.Clone(items), id, nil, nil)
	if err != nil || truncated || next != nil || len(all) != 5 {
		t.Fatalf("default page = %v %v %v %v, want all five items", all, truncated, next, err)
	}
	empty, truncated, _, err := page([]string{}, id, nil, nil)
	if err != nil || truncated || len(empty) != 0 {
		t.Fatalf("empty page = %v %v %v", empty, truncated, err)
	}
	if _, _, _, err := page(slices.Clone(items), id, ptr("!!not base64!!"), nil); err == nil {
		t.Fatal("an undecodable marker was accepted")
	}
}

func TestAccountOfKey(t *testing.T) {
	t.Parallel()
	for _, acct := range []string{"000000000000", "111111111111", "123456789012", "999999999999"} {
		for _, id := range []string{awsid.New("AKIA", acct), awsid.NewUnique("AROA", acct)} {
			got, ok := awsid.Account(id)
			if !ok || got != acct {
				t.Fatalf("awsid.Account(%s) = %s %v, want %s", id, got, ok, acct)
			}
		}
	}
	// AWS's documented example key carries an account in the same bits.
	if _, ok := awsid.Account("AKIAIOSFODNN7EXAMPLE"); !ok {
		t.Fatal("accountOfKey refused AWS's example key")
	}
	for _, bad := range []string{"test", "", "AKIA0000000000000000"} {
		if _, ok := awsid.Account(bad); ok {
			t.Fatalf("awsid.Account(%q) accepted", bad)
		}
	}
}
