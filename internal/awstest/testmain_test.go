package awstest

import "testing"

// TestMain stops the servers the harness started for the selected backend.
func TestMain(m *testing.M) { Main(m) }
