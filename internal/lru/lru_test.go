package lru

import (
	"fmt"
	"sync"
	"testing"
)

func strlen(s string) int { return len(s) }

func TestEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	c := New[string, string](10, strlen)
	c.Add("a", "aaaa")
	c.Add("b", "bbbb")
	if _, ok := c.Get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	if n := c.Add("c", "cccc"); n != 1 {
		t.Fatalf("evicted %d, want 1", n)
	}
	if _, ok := c.Get("b"); ok {
		t.Fatal("b, the least recently used, was kept")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%s evicted", k)
		}
	}
	if c.Bytes() != 8 || c.Len() != 2 {
		t.Fatalf("bytes %d, len %d", c.Bytes(), c.Len())
	}
}

func TestReplaceKeepsSizeRight(t *testing.T) {
	c := New[string, string](100, strlen)
	c.Add("a", "aaaa")
	c.Add("a", "aa")
	if v, _ := c.Get("a"); v != "aa" || c.Bytes() != 2 || c.Len() != 1 {
		t.Fatalf("after replace: %q, %d bytes, %d entries", v, c.Bytes(), c.Len())
	}
	c.Remove("a")
	c.Remove("missing")
	if c.Bytes() != 0 || c.Len() != 0 {
		t.Fatalf("after remove: %d bytes, %d entries", c.Bytes(), c.Len())
	}
}

// The newest entry stays even when it alone is over the bound; everything else goes.
func TestOversizedEntryStaysAlone(t *testing.T) {
	c := New[int, []byte](10, func(b []byte) int { return len(b) })
	c.Add(1, make([]byte, 4))
	c.Add(2, make([]byte, 4))
	if n := c.Add(3, make([]byte, 50)); n != 2 {
		t.Fatalf("evicted %d, want 2", n)
	}
	if _, ok := c.Get(3); !ok || c.Len() != 1 || c.Bytes() != 50 {
		t.Fatalf("len %d bytes %d", c.Len(), c.Bytes())
	}
	c.Add(4, make([]byte, 1)) // the oversized one is the least recent now
	if _, ok := c.Get(3); ok || c.Bytes() != 1 {
		t.Fatalf("oversized entry kept after a newer one: %d bytes", c.Bytes())
	}
}

func TestPurge(t *testing.T) {
	c := New[string, string](100, strlen)
	c.Add("a", "x")
	c.Add("b", "y")
	c.Purge()
	if _, ok := c.Get("a"); ok || c.Len() != 0 || c.Bytes() != 0 {
		t.Fatal("purge kept entries")
	}
	c.Add("c", "z")
	if v, ok := c.Get("c"); !ok || v != "z" {
		t.Fatal("cache unusable after purge")
	}
}

// Run with -race: concurrent adds and gets keep the size within the bound.
func TestConcurrentUse(t *testing.T) {
	c := New[string, string](64, strlen)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprint(i % 37)
				c.Add(k, "12345678")
				c.Get(fmt.Sprint((i + g) % 37))
			}
		}()
	}
	wg.Wait()
	if c.Bytes() > 64 || c.Bytes() != 8*c.Len() {
		t.Fatalf("%d bytes in %d entries", c.Bytes(), c.Len())
	}
}
