package core

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
)

// PageAfter is the one paginator every service's list operations use:
// items sorted by a unique key, a token that carries the last key returned
// (so a page survives changes to the list), and the page size asked for
// (0: the emulator's own, small, page size). ok is false when the token was
// not issued by PageAfter; each service answers that with its own error.
func PageAfter[T any](c *Ctx, items []T, key func(T) string, token string, limit int) (page []T, next string, ok bool) {
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

// Paging is how one service's list operations reject a request: the
// largest page size a client may ask for (max; 0: no largest), the error for
// a page size outside 1..max, and the error for a token PageAfter did not
// issue.
type Paging struct {
	Max      int
	BadLimit func(n int) *APIError
	BadToken func() *APIError
}

// Paginate is PageAfter with the checks every list operation makes: limit
// is the page size the client asked for (nil: none), refused outside
// 1..p.max; items are sorted by key (keys are unique) before paging.
func Paginate[T any](c *Ctx, items []T, key func(T) string, token string, limit *int, p Paging) ([]T, string, *APIError) {
	n := 0
	if limit != nil {
		if *limit < 1 || (p.Max > 0 && *limit > p.Max) {
			return nil, "", p.BadLimit(*limit)
		}
		n = *limit
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	page, next, ok := PageAfter(c, items, key, token, n)
	if !ok {
		return nil, "", p.BadToken()
	}
	return page, next, nil
}

// PageOut builds the list response of the JSON services that name their
// token NextToken: {listName: page, "NextToken": next} (no NextToken on the
// last page).
func PageOut(listName string, page any, next string) map[string]any {
	out := map[string]any{listName: page}
	if next != "" {
		out["NextToken"] = next
	}
	return out
}

// SeqKey is the paging key of an entity numbered by a counter: the number,
// zero-padded so keys sort as the numbers do.
func SeqKey(seq int) string { return fmt.Sprintf("%012d", seq) }

// HashID draws n characters of alphabet from a hash of salt and parts: the
// deterministic IDs of the services (the same request makes the same ID, so
// snapshots of equal states are equal).
func HashID(salt, alphabet string, n int, parts ...string) string {
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

// HexDigits is the alphabet of lowercase hexadecimal IDs.
const HexDigits = "0123456789abcdef"

// HashUUID is a UUID-shaped (8-4-4-4-12 lowercase hex) HashID of salt and
// parts.
func HashUUID(salt string, parts ...string) string {
	h := HashID(salt, HexDigits, 32, parts...)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// HashUUID4 is HashUUID shaped as a version 4 (random) UUID of the RFC 4122
// variant, as AWS's key IDs are.
func HashUUID4(salt string, parts ...string) string {
	h := HashID(salt, HexDigits, 32, parts...)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[strings.IndexByte(HexDigits, h[16])%4]) + h[17:20] + "-" + h[20:32]
}
