package schemas

import (
	"encoding/json"
	"testing"
)

func TestListSize(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action string
		params map[string]any
		size   int
		known  bool
		most   int
	}{
		{"st.searchPeople", map[string]any{"limit": 7.0}, 7, true, 7},
		{"st.searchPeople", map[string]any{"limit": json.Number("3")}, 3, true, 3},
		{"st.searchPeople", map[string]any{"limit": 4}, 4, true, 4},
		{"st.searchPeople", nil, 10, true, 10},                          // the default
		{"st.retrieveConnections", nil, 0, false, 1000},                 // no default: the maximum
		{"st.retrievePersonSkills", nil, 0, false, unboundedList},       // no limit parameter
		{"st.searchPeople", map[string]any{"limit": "x"}, 10, true, 10}, // not a number: the default
	}
	for _, tt := range tests {
		a := c.Lookup(tt.action)
		n, ok := a.ListSize(tt.params)
		if n != tt.size || ok != tt.known {
			t.Errorf("%s %v: ListSize = %d, %v, want %d, %v", tt.action, tt.params, n, ok, tt.size, tt.known)
		}
		if m := a.MaxListSize(tt.params); m != tt.most {
			t.Errorf("%s %v: MaxListSize = %d, want %d", tt.action, tt.params, m, tt.most)
		}
	}
}
