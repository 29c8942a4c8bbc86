package statebackend_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

func TestLoggingGoesToTheOptionsLogger(t *testing.T) {
	b := awstest.New(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region}
	if _, err := statebackend.Bootstrap(t.Context(), apiFor(b), spec, awstest.Fast(foundation.WithLogger(logger))...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "create s3:bucket") || !strings.Contains(buf.String(), "bucket="+spec.Bucket) {
		t.Errorf("log:\n%s", buf.String())
	}
}
