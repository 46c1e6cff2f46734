package linkedapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestCredentialsNeverPrinted(t *testing.T) {
	c := Credentials{LinkedAPIToken: "lat-print-secret", IdentificationToken: "idt-print-secret", Source: "environment"}
	js, _ := json.Marshal(c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%v", &c), string(js)} {
		if strings.Contains(s, "secret") {
			t.Errorf("printed a token: %s", s)
		}
	}
	if a, b := c.Account(), (Credentials{IdentificationToken: "idt-print-secret", Endpoint: "https://api.linkedapi.io/"}).Account(); a != b {
		t.Errorf("the same account hashes differently: %s %s", a, b)
	}
}
