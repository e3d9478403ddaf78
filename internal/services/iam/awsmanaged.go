package iam

import (
	_ "embed"
	"encoding/json"
	"sort"
	"time"

	"github.com/overcast/overcast/internal/awsid"
)

// awsmanaged.json is a small catalog of commonly attached AWS managed policies, with their
// paths and descriptions as AWS publishes them. Documents carry real statements of the
// published policy; the broad ones (ReadOnlyAccess, AWSLambda_FullAccess) are abridged to
// the statements that concern the services Overcast serves. Every policy has one version.
//
//go:embed awsmanaged.json
var awsManagedJSON []byte

// managedPolicy is one entry of the catalog.
type managedPolicy struct {
	Name, Path, Description, VersionID string
	CreateDate, UpdateDate             time.Time
	Document                           json.RawMessage
	arn, id, document                  string
}

var (
	// awsManaged indexes the catalog by ARN; awsManagedList keeps it sorted by name.
	awsManaged     = map[string]*managedPolicy{}
	awsManagedList []*managedPolicy
)

func init() {
	var list []*managedPolicy
	if err := json.Unmarshal(awsManagedJSON, &list); err != nil {
		panic("iam: awsmanaged.json: " + err.Error())
	}
	for _, m := range list {
		m.arn = "arn:aws:iam::aws:policy" + m.Path + m.Name
		// AWS managed policies have fixed ids; ours are derived from the ARN so they stay put.
		m.id = awsid.Stable("ANPA", "0", m.arn)
		m.document = string(m.Document)
		awsManaged[m.arn] = m
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	awsManagedList = list
}

// policy renders the catalog entry as a managed policy.
func (m *managedPolicy) policy() *policyDoc {
	desc := m.Description
	return &policyDoc{
		PolicyName: m.Name, PolicyID: m.id, Arn: m.arn, Path: m.Path, Description: &desc,
		DefaultVersionID: m.VersionID, CreateDate: m.CreateDate.UnixMilli(), UpdateDate: m.UpdateDate.UnixMilli(), AWS: true,
	}
}
