// Package storetest is the store conformance suite: every case runs against every dialect,
// from internal/store/sqlite and internal/store/postgres. A service adds its cases in a
// file of its own (sqs_cases.go, ...) and lists them in allCases.
package storetest

import (
	"testing"

	"github.com/overcast/overcast/internal/store"
)

// Case is one conformance test. Test gets a freshly opened, empty database of its own and
// may run in parallel with other cases.
type Case struct {
	Name string
	Test func(t *testing.T, db *store.DB)
}

// allCases lists every case of the suite: the framework's and each service's.
func allCases() []Case {
	var cases []Case
	cases = append(cases, frameworkCases()...)
	cases = append(cases, sqsCases()...)
	cases = append(cases, snsCases()...)
	cases = append(cases, snsArchiveCases()...)
	cases = append(cases, deliveryCases()...)
	cases = append(cases, timerCases()...)
	cases = append(cases, nodeCases()...)
	cases = append(cases, logsCases()...)
	cases = append(cases, eventsCases()...)
	cases = append(cases, schedulerCases()...)
	cases = append(cases, lambdaCases()...)
	cases = append(cases, lambdaLayerCases()...)
	cases = append(cases, lambdaURLCases()...)
	cases = append(cases, lambdaESMCases()...)
	cases = append(cases, lambdaEventConfigCases()...)
	cases = append(cases, lambdaConfigCases()...)
	cases = append(cases, iamCases()...)
	cases = append(cases, s3Cases()...)
	cases = append(cases, monitoringCases()...)
	return cases
}

// Run runs every case in parallel, each on a database from open. open must return a new,
// empty, migrated database and arrange for it to be closed when t ends.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	for _, c := range allCases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			c.Test(t, open(t))
		})
	}
}
