package results

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestInspectPaths(t *testing.T) {
	tests := []struct {
		name       string
		completion string
		offset     int
		actions    int
		errors     string
	}{
		{
			name:       "search, doFor wrapper per item, nested error",
			completion: `{"actionType":"st.searchCompanies","success":true,"data":[{"name":"A","then":{"actionType":"st.doForCompanies","success":true,"then":{"actionType":"st.openCompanyPage","success":true,"data":{"name":"A"}}}},{"name":"B","then":{"actionType":"st.openCompanyPage","success":true,"data":{"name":"B","then":{"actionType":"st.retrieveCompanyEmployees","success":false,"error":{"type":"retrievingNotAllowed","message":"no"}}}}}]}`,
			actions:    4,
			errors:     "searchCompanies › [1] › openCompanyPage › retrieveCompanyEmployees: retrievingNotAllowed",
		},
		{
			name:       "root array numbered from the offset, labels, nv actions",
			completion: `[{"actionType":"st.sendConnectionRequest","success":true},{"actionType":"nv.openPersonPage","label":"ceo","success":true,"data":{"then":[{"actionType":"nv.sendMessage","success":false,"error":{"type":"messagingNotAllowed"}}]}}]`,
			offset:     100,
			actions:    3,
			errors:     "[101] › nv.openPersonPage(ceo) › nv.sendMessage: messagingNotAllowed",
		},
		{
			name:       "failed iterator is named",
			completion: `{"actionType":"st.searchPeople","success":true,"data":[{"then":{"actionType":"st.doForPeople","success":false,"error":{"type":"limitExceeded"}}}]}`,
			actions:    1,
			errors:     "searchPeople › [0] › doForPeople: limitExceeded",
		},
		{
			name:       "error without a type",
			completion: `{"actionType":"st.retrieveSSI","success":false}`,
			actions:    1,
			errors:     "retrieveSSI: unknownError",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ins, err := Inspect(json.RawMessage(tc.completion), tc.offset)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ins.Errors {
				got = append(got, e.String())
			}
			if ins.Actions != tc.actions || strings.Join(got, "\n") != tc.errors {
				t.Errorf("actions %d, errors:\n%s\nwant actions %d, errors:\n%s", ins.Actions, strings.Join(got, "\n"), tc.actions, tc.errors)
			}
		})
	}
}
