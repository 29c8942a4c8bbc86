package account_test

import (
	"testing"

	"github.com/awsfoundation/foundation/internal/awstest"
)

// TestMain stops the servers the harness started for the selected backend.
func TestMain(m *testing.M) { awstest.Main(m) }
