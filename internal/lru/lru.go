// Package lru is the one least-recently-used cache of cadrestat, bounded by the size of what
// it holds rather than by a count: the response cache (server/cache.go) holds answers of a
// few hundred bytes to a few megabytes, the per-metric cells (service/slices.go) from a few
// kilobytes to hundreds of megabytes, so a count bound would say nothing about memory.
package lru

import (
	"container/list"
	"sync"
)

// Cache maps keys to values and evicts the least recently used entries once the sizes of its
// values add up to more than its bound. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	maxBytes int
	size     int
	sizeOf   func(V) int
	order    list.List // *entry[K, V], front = most recently used
	items    map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key   K
	value V
	size  int
}

// New returns a cache holding at most maxBytes, as measured by sizeOf (called once per value,
// when it is added).
func New[K comparable, V any](maxBytes int, sizeOf func(V) int) *Cache[K, V] {
	return &Cache[K, V]{maxBytes: maxBytes, sizeOf: sizeOf, items: map[K]*list.Element{}}
}

// Get returns the value of key and marks it as the most recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).value, true
}

// Add stores value under key (replacing any value there), then evicts the least recently
// used entries until the cache is within its bound again. The entry just added is never
// evicted, even if it alone is larger than the bound: a caller that must not keep such a
// value checks its size first. Add returns how many entries it evicted.
func (c *Cache[K, V]) Add(key K, value V) (evicted int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	n := c.sizeOf(value)
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, value: value, size: n})
	c.size += n
	for c.size > c.maxBytes && c.order.Len() > 1 {
		c.remove(c.order.Back())
		evicted++
	}
	return evicted
}

// Remove drops key, if it is there.
func (c *Cache[K, V]) Remove(key K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
}

// Purge drops every entry.
func (c *Cache[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.size = 0
}

// Bytes is the total size of the values held.
func (c *Cache[K, V]) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Len is the number of entries held.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *Cache[K, V]) remove(e *list.Element) {
	en := c.order.Remove(e).(*entry[K, V])
	delete(c.items, en.key)
	c.size -= en.size
}
