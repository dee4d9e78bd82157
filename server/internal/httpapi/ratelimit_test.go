package httpapi

import (
	"strconv"
	"testing"
)

// TestRateLimiterIsBounded: a limiter tracks at most its bound of keys, forgetting the
// least recently seen first, however many keys callers make up.
func TestRateLimiterIsBounded(t *testing.T) {
	limiter := NewRateLimiter(RateLimit{PerSecond: 0.001, Burst: 1})
	limiter.maxTracked = 3
	for _, key := range []string{"a", "b", "c"} {
		if _, ok := limiter.Allow(key); !ok {
			t.Fatalf("%s refused within its burst", key)
		}
	}
	if _, ok := limiter.Allow("a"); ok { // a is now the most recently seen
		t.Fatal("a allowed twice within its burst")
	}
	limiter.Allow("d") // forgets b, the least recently seen
	if n := len(limiter.buckets); n != 3 || limiter.recency.Len() != 3 {
		t.Fatalf("%d keys tracked, want 3", n)
	}
	if _, ok := limiter.Allow("a"); ok {
		t.Error("a was forgotten, though seen more recently than b")
	}
	if _, ok := limiter.Allow("b"); !ok {
		t.Error("b is still tracked: its empty bucket refused it")
	}
	for i := range 10_000 {
		limiter.Allow(strconv.Itoa(i))
	}
	if n := len(limiter.buckets); n != 3 {
		t.Errorf("%d keys tracked after 10000 new ones, want 3", n)
	}
	if NewRateLimiter(RateLimit{}) != nil {
		t.Error("a zero rate limit limits")
	}
}
