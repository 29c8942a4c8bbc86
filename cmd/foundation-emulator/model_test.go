package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// -model turns the latency and quota model on (AWS's figures with the
// JSON's overrides), as the control API reports; a bad model is refused
// before anything is served.
func TestRunModelFlag(t *testing.T) {
	t.Setenv("FOUNDATION_EMULATOR_ADDR", "")
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if err := run(stopped, []string{"-addr", "127.0.0.1:0", "-model", `{"timeScale":-1}`}, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "-model: model: TimeScale") || out.Len() > 0 {
		t.Fatalf("bad model: err = %v, stdout %q", err, out.String())
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-model", `{"default":true,"timeScale":0.05}`}, w, io.Discard)
		_ = w.Close()
	}()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	url := strings.Fields(strings.TrimPrefix(line, "foundation emulator listening on "))[0]
	resp, err := http.Get(url + "/_foundation/model")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Model struct {
			TimeScale float64 `json:"timeScale"`
			Rates     []struct {
				Service string `json:"service"`
			} `json:"rates"`
		} `json:"model"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Model.TimeScale != 0.05 || len(got.Model.Rates) == 0 {
		t.Errorf("model = %+v", got.Model)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
