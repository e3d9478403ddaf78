package logs

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/overcast/overcast/internal/store"
)

// kindQueryDefinition rows are saved Logs Insights queries, account-wide (parent ""),
// named by their queryDefinitionId.
const kindQueryDefinition = "query-definition"

// maxQueryDefinitions is how many query definitions an account may save in a region.
const maxQueryDefinitions = 1000

// queryDefinitionDoc is the stored document of a query definition.
type queryDefinitionDoc struct {
	Name          string            `json:"name"`
	QueryString   string            `json:"queryString"`
	LogGroupNames []string          `json:"logGroupNames,omitempty"`
	Parameters    []*QueryParameter `json:"parameters,omitempty"`
}

// PutQueryDefinition saves a Logs Insights query, or replaces the one queryDefinitionId
// names. The query string is stored as given; it is compiled when it runs.
func (s *Service) PutQueryDefinition(ctx context.Context, in *PutQueryDefinitionInput) (*PutQueryDefinitionOutput, error) {
	c := callOf(ctx)
	if in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI {
		return nil, NewInvalidParameterException(msgQueryLanguage)
	}
	doc, err := encodeDoc(&queryDefinitionDoc{
		Name: *in.Name, QueryString: *in.QueryString, LogGroupNames: in.LogGroupNames, Parameters: in.Parameters,
	})
	if err != nil {
		return nil, err
	}
	id := uuid.NewString()
	if in.QueryDefinitionID != nil {
		id = *in.QueryDefinitionID
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		created := now
		if in.QueryDefinitionID != nil {
			old, err := tx.LogsResourceGet(ctx, c.Account, c.Region, kindQueryDefinition, "", id)
			if err != nil {
				return notFoundAs(err, msgQueryDefNotFound)
			}
			created = old.CreatedAt
		} else {
			top := ""
			existing, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindQueryDefinition, Parent: &top})
			if err != nil {
				return err
			}
			if len(existing) >= maxQueryDefinitions {
				return NewLimitExceededException(msgLimitExceeded)
			}
		}
		return tx.LogsResourcePut(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindQueryDefinition,
			Name: id, Doc: doc, CreatedAt: created, ModifiedAt: now})
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutQueryDefinitionOutput{QueryDefinitionID: ptr(id)}, nil
}

// notFoundAs turns the store's ErrNotFound into ResourceNotFoundException with msg.
func notFoundAs(err error, msg string) error {
	if errors.Is(err, store.ErrNotFound) {
		return NewResourceNotFoundException(msg)
	}
	return err
}

// DescribeQueryDefinitions lists the saved queries whose name starts with the prefix, in
// order of name, with maxResults (default 1000) and nextToken.
func (s *Service) DescribeQueryDefinitions(ctx context.Context, in *DescribeQueryDefinitionsInput) (*DescribeQueryDefinitionsOutput, error) {
	c := callOf(ctx)
	out := &DescribeQueryDefinitionsOutput{QueryDefinitions: []*QueryDefinition{}}
	if in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI {
		return out, nil
	}
	offset := 0
	if in.NextToken != nil {
		parts, ok := decodeToken(*in.NextToken, 2)
		n, err := 0, error(nil)
		if ok {
			n, err = strconv.Atoi(parts[1])
		}
		if !ok || err != nil || parts[0] != kindQueryDefinition || n < 0 {
			return nil, errInvalidNextToken()
		}
		offset = n
	}
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	top := ""
	rows, err := s.listResources(ctx, c, kindQueryDefinition, &top, "", "", 0)
	if err != nil {
		return nil, err
	}
	defs := make([]*QueryDefinition, 0, len(rows))
	for _, r := range rows {
		var d queryDefinitionDoc
		if err := decodeDoc(r, &d); err != nil {
			return nil, err
		}
		if in.QueryDefinitionNamePrefix != nil && !strings.HasPrefix(d.Name, *in.QueryDefinitionNamePrefix) {
			continue
		}
		defs = append(defs, &QueryDefinition{
			QueryLanguage:     ptr(queryLanguageCWLI),
			QueryDefinitionID: ptr(r.Name),
			Name:              ptr(d.Name),
			QueryString:       ptr(d.QueryString),
			LastModified:      ptr(r.ModifiedAt),
			LogGroupNames:     d.LogGroupNames,
			Parameters:        d.Parameters,
		})
	}
	slices.SortStableFunc(defs, func(a, b *QueryDefinition) int {
		if n := strings.Compare(*a.Name, *b.Name); n != 0 {
			return n
		}
		return strings.Compare(*a.QueryDefinitionID, *b.QueryDefinitionID)
	})
	if offset > len(defs) {
		offset = len(defs)
	}
	defs = defs[offset:]
	if len(defs) > limit {
		defs = defs[:limit]
		out.NextToken = ptr(encodeToken(kindQueryDefinition, strconv.Itoa(offset+limit)))
	}
	out.QueryDefinitions = defs
	return out, nil
}

// DeleteQueryDefinition deletes a saved query.
func (s *Service) DeleteQueryDefinition(ctx context.Context, in *DeleteQueryDefinitionInput) (*DeleteQueryDefinitionOutput, error) {
	c := callOf(ctx)
	err := s.deleteResource(ctx, c, kindQueryDefinition, "", *in.QueryDefinitionID,
		NewResourceNotFoundException(msgQueryDefNotFound))
	if err != nil {
		return nil, err
	}
	return &DeleteQueryDefinitionOutput{Success: ptr(true)}, nil
}
