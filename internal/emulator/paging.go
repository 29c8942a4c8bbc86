package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
)

// pageAfter is the one paginator every service's list operations use:
// items sorted by a unique key, a token that carries the last key returned
// (so a page survives changes to the list), and the page size asked for
// (0: the emulator's own, small, page size). ok is false when the token was
// not issued by pageAfter; each service answers that with its own error.
func pageAfter[T any](c *Ctx, items []T, key func(T) string, token string, limit int) (page []T, next string, ok bool) {
	start := 0
	if token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, "", false
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > string(after) })
	}
	end := min(start+c.PageSize(limit), len(items))
	page = append(make([]T, 0, end-start), items[start:end]...)
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return page, next, true
}

// hashID draws n characters of alphabet from a hash of salt and parts: the
// deterministic IDs of the services (the same request makes the same ID, so
// snapshots of equal states are equal).
func hashID(salt, alphabet string, n int, parts ...string) string {
	var out []byte
	for block := 0; len(out) < n; block++ {
		h := sha256.New()
		fmt.Fprintf(h, "%s%d", salt, block)
		for _, p := range parts {
			h.Write([]byte{0})
			h.Write([]byte(p))
		}
		for _, b := range h.Sum(nil) {
			if len(out) == n {
				break
			}
			out = append(out, alphabet[int(b)%len(alphabet)])
		}
	}
	return string(out)
}
