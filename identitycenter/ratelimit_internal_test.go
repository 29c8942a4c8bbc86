package identitycenter

import "testing"

func TestAWSHost(t *testing.T) {
	for host, want := range map[string]bool{
		"sso.us-east-1.amazonaws.com":      true,
		"SSO.eu-west-1.amazonaws.com:443":  true,
		"sso.cn-north-1.amazonaws.com.cn":  true,
		"sso.us-east-1.api.aws":            true,
		"sso.us-east-1.amazonaws.com.":     true,
		"127.0.0.1:4566":                   false,
		"localhost":                        false,
		"amazonaws.com.evil.example":       false,
		"sso.us-east-1.amazonaws.com.evil": false,
		"":                                 false,
	} {
		if got := awsHost(host); got != want {
			t.Errorf("awsHost(%q) = %v, want %v", host, got, want)
		}
	}
}
