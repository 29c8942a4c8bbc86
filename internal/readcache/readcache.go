// Package readcache is the library's one per-run read cache: what one run
// of a program has read of organization-wide facts (the organization's
// root, the OUs of a parent, the accounts of an OU, a resource's tags, an
// Identity Center instance's permission sets and assignments), so that the
// functions of that run, and the goroutines of one function, read each
// fact once.
//
// A Cache is made per run (foundation.NewReadCache, given to each call with
// foundation.WithReadCache) or, when the caller gave none, per exported
// call, so every function reads through the same mechanism. Values are
// shared between callers: a value is either immutable once stored, or a
// pointer to a structure with its own lock that the library's writes update
// in place (an OU created is added to its parent's list). A write whose new
// state the library does not hold drops the entries it changed
// (Invalidate); the next Get reads AWS again. Changes made outside the
// library during a run are not seen by that run: a cache lives for one run.
//
// Keys are "service/kind/id" strings; each package documents its own.
package readcache

import (
	"strings"
	"sync"
)

// Cache holds the values read in one run. Its zero value is not usable:
// make one with New. A nil *Cache caches nothing (every Get loads).
type Cache struct {
	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	done chan struct{} // closed once val/err are set
	val  any
	err  error
}

// New returns an empty Cache.
func New() *Cache { return &Cache{m: map[string]*entry{}} }

// Get returns the value stored under key, or calls load, stores what it
// returns and returns it. Concurrent Gets of one key call load once; the
// others wait for it. A load that fails stores nothing: its caller gets the
// error, and a Get that was waiting for it loads again itself (its own
// context may still be live).
func Get[T any](c *Cache, key string, load func() (T, error)) (T, error) {
	if c == nil {
		return load()
	}
	for {
		c.mu.Lock()
		e, ok := c.m[key]
		if !ok {
			e = &entry{done: make(chan struct{})}
			c.m[key] = e
			c.mu.Unlock()
			v, err := load()
			c.mu.Lock()
			e.val, e.err = v, err
			if err != nil && c.m[key] == e {
				delete(c.m, key)
			}
			close(e.done)
			c.mu.Unlock()
			return v, err
		}
		c.mu.Unlock()
		<-e.done
		if e.err == nil {
			v, _ := e.val.(T)
			return v, nil
		}
	}
}

// Peek returns the value stored under key without loading it: ok is false
// when none is stored (or a load is still running or failed).
func Peek[T any](c *Cache, key string) (v T, ok bool) {
	if c == nil {
		return v, false
	}
	c.mu.Lock()
	e, found := c.m[key]
	c.mu.Unlock()
	if !found {
		return v, false
	}
	select {
	case <-e.done:
	default:
		return v, false
	}
	if e.err != nil {
		return v, false
	}
	v, ok = e.val.(T)
	return v, ok
}

// Put stores v under key: a write that knows the state it made (the root
// after a policy type was enabled).
func Put[T any](c *Cache, key string, v T) {
	if c == nil {
		return
	}
	e := &entry{done: make(chan struct{}), val: v}
	close(e.done)
	c.mu.Lock()
	c.m[key] = e
	c.mu.Unlock()
}

// Invalidate drops the entries whose key is one of keys or, for a key that
// ends in "/", starts with it. A load running for a dropped key completes
// for the callers waiting on it but is not stored.
func (c *Cache) Invalidate(keys ...string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if strings.HasSuffix(k, "/") {
			for have := range c.m {
				if strings.HasPrefix(have, k) {
					delete(c.m, have)
				}
			}
			continue
		}
		delete(c.m, k)
	}
}

// Len returns how many values are stored (tests).
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
