package monitoring

import (
	"encoding/json"
	"sort"
)

// dimPair is one dimension in the canonical form the store keeps.
type dimPair struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// canonicalDims returns the store's form of dims: sorted by name, so that the same set of
// dimensions given in any order names the same metric, as in CloudWatch.
func canonicalDims(dims []*Dimension) string {
	ps := make([]dimPair, 0, len(dims))
	for _, d := range dims {
		if d == nil || d.Name == nil || d.Value == nil {
			continue
		}
		ps = append(ps, dimPair{*d.Name, *d.Value})
	}
	return canonicalPairs(ps)
}

// canonicalMap is canonicalDims for dimensions given as a map (other services' metrics).
func canonicalMap(dims map[string]string) string {
	ps := make([]dimPair, 0, len(dims))
	for k, v := range dims {
		ps = append(ps, dimPair{k, v})
	}
	return canonicalPairs(ps)
}

func canonicalPairs(ps []dimPair) string {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	b, _ := json.Marshal(ps)
	return string(b)
}

// parseDims turns the store's form back into API dimensions.
func parseDims(s string) []*Dimension {
	var ps []dimPair
	_ = json.Unmarshal([]byte(s), &ps)
	out := make([]*Dimension, len(ps))
	for i, p := range ps {
		out[i] = &Dimension{Name: &p.Name, Value: &p.Value}
	}
	return out
}
