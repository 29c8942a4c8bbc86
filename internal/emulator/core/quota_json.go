package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// modelJSON is a Model as JSON: durations as Go duration strings ("50ms",
// "60s"). On input, "default": true starts from DefaultModel and the other
// fields given override it (latency, async and concurrency entry by entry,
// rates as a whole).
type modelJSON struct {
	Default        bool              `json:"default,omitempty"`
	TimeScale      float64           `json:"timeScale,omitempty"`
	DefaultLatency string            `json:"defaultLatency,omitempty"`
	Latency        map[string]string `json:"latency,omitempty"`
	Rates          []Rate            `json:"rates,omitempty"`
	Async          map[string]string `json:"async,omitempty"`
	Concurrency    map[string]int    `json:"concurrency,omitempty"`
}

// MarshalJSON renders m with durations as strings ("50ms").
func (m *Model) MarshalJSON() ([]byte, error) {
	j := modelJSON{TimeScale: m.scale(), Rates: m.Rates, Concurrency: m.Concurrency}
	if m.DefaultLatency > 0 {
		j.DefaultLatency = m.DefaultLatency.String()
	}
	j.Latency = durationStrings(m.Latency)
	j.Async = durationStrings(m.Async)
	return json.Marshal(j)
}

// UnmarshalJSON reads a Model as MarshalJSON writes it, rejecting unknown
// fields and bad durations; {"default": true, ...} starts from DefaultModel
// (see modelJSON). The result is validated.
func (m *Model) UnmarshalJSON(b []byte) error {
	var j modelJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	out := &Model{}
	if j.Default {
		out = DefaultModel()
	}
	if j.TimeScale != 0 {
		out.TimeScale = j.TimeScale
	}
	if j.DefaultLatency != "" {
		d, err := parseModelDuration("defaultLatency", j.DefaultLatency)
		if err != nil {
			return err
		}
		out.DefaultLatency = d
	}
	var err error
	if out.Latency, err = mergeDurations("latency", out.Latency, j.Latency); err != nil {
		return err
	}
	if out.Async, err = mergeDurations("async", out.Async, j.Async); err != nil {
		return err
	}
	if j.Rates != nil {
		out.Rates = j.Rates
	}
	for k, v := range j.Concurrency {
		if out.Concurrency == nil {
			out.Concurrency = map[string]int{}
		}
		out.Concurrency[k] = v
	}
	if err := out.Validate(); err != nil {
		return err
	}
	*m = *out
	return nil
}

// ParseModel reads a Model from JSON (see Model.UnmarshalJSON); "default"
// alone, or an empty document, is DefaultModel.
func ParseModel(b []byte) (*Model, error) {
	s := bytes.TrimSpace(b)
	if len(s) == 0 || string(s) == "default" {
		return DefaultModel(), nil
	}
	if s[0] != '{' {
		return nil, errors.New(`model: want "default" or a JSON object such as {"default":true,"timeScale":0.05}`)
	}
	m := &Model{}
	if err := m.UnmarshalJSON(s); err != nil {
		return nil, err
	}
	return m, nil
}

func durationStrings(m map[string]time.Duration) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func mergeDurations(field string, into map[string]time.Duration, from map[string]string) (map[string]time.Duration, error) {
	for _, k := range SortedKeys(from) {
		d, err := parseModelDuration(field+"["+k+"]", from[k])
		if err != nil {
			return nil, err
		}
		if into == nil {
			into = map[string]time.Duration{}
		}
		into[k] = d
	}
	return into, nil
}

func parseModelDuration(field, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("model: %s: %q is not a duration such as \"50ms\"", field, s)
	}
	return d, nil
}

// controlModel is what GET /_foundation/model answers.
type controlModel struct {
	Model     *Model         `json:"model"` // null when off
	Throttled map[string]int `json:"throttled"`
}

// serveModel serves /_foundation/model: GET the model and the throttle
// counts, PUT or POST a model (see Model.UnmarshalJSON), DELETE to turn it
// off.
func (e *Emulator) serveModel(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPut, http.MethodPost:
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			writeControlError(w, http.StatusBadRequest, "model: "+err.Error())
			return
		}
		m, err := ParseModel(body)
		if err == nil {
			err = e.SetModel(m)
		}
		if err != nil {
			writeControlError(w, http.StatusBadRequest, err.Error())
			return
		}
	case http.MethodDelete:
		_ = e.SetModel(nil)
	default:
		w.Header().Set("Allow", "GET, PUT, POST, DELETE")
		writeControlError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("%s %s: method not allowed (use GET, PUT, POST or DELETE)", r.Method, r.URL.Path))
		return
	}
	writeControlJSON(w, http.StatusOK, controlModel{Model: e.Model(), Throttled: e.Throttled()})
}
