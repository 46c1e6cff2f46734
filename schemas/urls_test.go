package schemas

import "testing"

func TestNormalizePersonURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"},
		{"https://www.linkedin.com/in/Ada-Lovelace/", "https://www.linkedin.com/in/ada-lovelace"},
		{"https://www.linkedin.com/in/ada-lovelace/?utm_source=share#about", "https://www.linkedin.com/in/ada-lovelace"},
		{"http://linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"},
		{"https://de.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"},
		{"linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace"},
		{"  HTTPS://WWW.LINKEDIN.COM/IN/ADA  ", "https://www.linkedin.com/in/ada"},
		{"https://example.com/people/ada/", "https://example.com/people/ada"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizePersonURL(tt.in); got != tt.want {
			t.Errorf("NormalizePersonURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
