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

// TestAccountPlace: an emulator on a new port each time is one account
// when it is named by a place, and still not the real service's account.
func TestAccountPlace(t *testing.T) {
	a := Credentials{IdentificationToken: "i", Endpoint: "http://127.0.0.1:41001", Place: "sandbox"}
	b := Credentials{IdentificationToken: "i", Endpoint: "http://127.0.0.1:41002", Place: "sandbox"}
	if a.Account() != b.Account() {
		t.Error("two ports of the same place are two accounts")
	}
	if a.Account() == (Credentials{IdentificationToken: "i", Endpoint: "http://127.0.0.1:41001"}).Account() {
		t.Error("a place is the account of its current address")
	}
	if a.Account() == (Credentials{IdentificationToken: "i"}).Account() {
		t.Error("the sandbox is the real service's account")
	}
	if a.Account() == (Credentials{IdentificationToken: "j", Place: "sandbox"}).Account() {
		t.Error("two identification tokens of one place are one account")
	}
}
