package httpapi

import (
	"container/list"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// RateLimit bounds the requests of each principal (user or client) that one instance
// accepts: PerSecond on average, Burst at once. A zero PerSecond turns limiting off. Each
// instance counts on its own, so behind a load balancer of N instances a principal may
// send up to N times as much.
type RateLimit struct {
	PerSecond float64
	Burst     int
}

// maxTrackedKeys bounds each limiter's memory, whoever picks the keys (a token request
// names any client id it likes).
const maxTrackedKeys = 10_000

// RateLimiter keeps a token bucket per key (a principal, a client id and address), at most
// maxTracked of them: past it, the least recently seen key is forgotten, which at worst
// gives that key a full bucket again.
type RateLimiter struct {
	limit      rate.Limit
	burst      int
	maxTracked int
	now        func() time.Time

	mu      sync.Mutex
	buckets map[string]*list.Element // of *keyBucket
	recency *list.List               // most recently seen first
}

type keyBucket struct {
	key     string
	limiter *rate.Limiter
}

// NewRateLimiter returns nil, which allows everything, when the limit is off.
func NewRateLimiter(cfg RateLimit) *RateLimiter {
	if cfg.PerSecond <= 0 {
		return nil
	}
	return &RateLimiter{
		limit: rate.Limit(cfg.PerSecond), burst: max(cfg.Burst, 1), maxTracked: maxTrackedKeys, now: time.Now,
		buckets: map[string]*list.Element{}, recency: list.New(),
	}
}

// Allow takes one request from the key's bucket; when it is empty it returns the whole
// seconds to wait.
func (l *RateLimiter) Allow(key string) (retryAfterSeconds int, ok bool) {
	if l == nil {
		return 0, true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	bucket := l.bucket(key)
	reservation := bucket.ReserveN(now, 1)
	delay := reservation.DelayFrom(now)
	if delay == 0 {
		return 0, true
	}
	// Refused requests take nothing from the bucket.
	reservation.CancelAt(now)
	return max(1, int(math.Ceil(delay.Seconds()))), false
}

// Exhausted tells, taking nothing, whether the key's bucket is empty, and then the whole
// seconds until it holds a request again.
func (l *RateLimiter) Exhausted(key string) (retryAfterSeconds int, empty bool) {
	if l == nil {
		return 0, false
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	element, found := l.buckets[key]
	if !found {
		return 0, false
	}
	tokens := element.Value.(*keyBucket).limiter.TokensAt(now)
	if tokens >= 1 {
		return 0, false
	}
	return max(1, int(math.Ceil((1-tokens)/float64(l.limit)))), true
}

// Take takes one request from the key's bucket when it holds one.
func (l *RateLimiter) Take(key string) {
	if l == nil {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(key).AllowN(now, 1)
}

// bucket returns the key's bucket, marked as the most recently seen, making it (and
// forgetting the least recently seen key when full) if needed. The caller holds mu.
func (l *RateLimiter) bucket(key string) *rate.Limiter {
	if element, found := l.buckets[key]; found {
		l.recency.MoveToFront(element)
		return element.Value.(*keyBucket).limiter
	}
	if l.recency.Len() >= l.maxTracked {
		oldest := l.recency.Back()
		l.recency.Remove(oldest)
		delete(l.buckets, oldest.Value.(*keyBucket).key)
	}
	b := &keyBucket{key: key, limiter: rate.NewLimiter(l.limit, l.burst)}
	l.buckets[key] = l.recency.PushFront(b)
	return b.limiter
}

// TooManyRequests is the refusal of a request over its principal's rate.
func TooManyRequests(retryAfterSeconds int) *Problem {
	return &Problem{Kind: RateLimited, Subject: strconv.Itoa(retryAfterSeconds)}
}

// LimitRate refuses, with 429 in the vendor's shape, the requests of a principal over its
// rate. It runs after validation, which has verified the principal.
func LimitRate(limiter *RateLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if claims := auth.PrincipalFrom(c.Request().Context()); claims != nil {
				if retryAfter, ok := limiter.Allow(string(claims.Kind) + ":" + claims.Subject); !ok {
					return TooManyRequests(retryAfter)
				}
			}
			return next(c)
		}
	}
}

// withRetryAfter adds the Retry-After header to a vendor's 429 response, whatever the family.
type withRetryAfter struct {
	VendorError
	seconds string
}

func (e withRetryAfter) WriteResponse(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Retry-After", e.seconds)
	return e.VendorError.WriteResponse(w, r)
}
