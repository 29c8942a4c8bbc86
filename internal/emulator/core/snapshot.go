package core

import "encoding/json"

// Snapshot returns the canonical JSON of all state: accounts by ID, then
// services by signing name, with map keys sorted and no timestamps, request
// IDs or other values that differ between two runs that did the same work.
// Two emulators that reached the same state produce identical bytes.
func (e *Emulator) Snapshot() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]map[string]any{}
	for id := range e.accounts {
		out[id] = map[string]any{}
	}
	for name, s := range e.services {
		if s.Snapshot == nil {
			continue
		}
		for id, st := range s.Snapshot(e) {
			if out[id] == nil {
				out[id] = map[string]any{}
			}
			out[id][name] = st
		}
	}
	return json.MarshalIndent(map[string]any{"accounts": out}, "", "  ")
}
