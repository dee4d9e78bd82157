package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

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

// maxTrackedPrincipals bounds the limiter's memory: past it, principals whose bucket has
// refilled (and so carry no state worth keeping) are forgotten.
const maxTrackedPrincipals = 10_000

// rateLimiter keeps a token bucket per principal.
type rateLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu         sync.Mutex
	principals map[string]*principalBucket
}

type principalBucket struct {
	limiter  *rate.Limiter
	lastSeen time.Time
}

// newRateLimiter returns nil, which allows everything, when the limit is off.
func newRateLimiter(cfg RateLimit) *rateLimiter {
	if cfg.PerSecond <= 0 {
		return nil
	}
	burst := max(cfg.Burst, 1)
	return &rateLimiter{limit: rate.Limit(cfg.PerSecond), burst: burst, now: time.Now, principals: map[string]*principalBucket{}}
}

// allow takes one request from the principal's bucket; when it is empty it returns the
// whole seconds to wait.
func (l *rateLimiter) allow(principal string) (retryAfterSeconds int, ok bool) {
	if l == nil {
		return 0, true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	bucket, found := l.principals[principal]
	if !found {
		if len(l.principals) >= maxTrackedPrincipals {
			l.forgetRefilled(now)
		}
		bucket = &principalBucket{limiter: rate.NewLimiter(l.limit, l.burst)}
		l.principals[principal] = bucket
	}
	bucket.lastSeen = now
	reservation := bucket.limiter.ReserveN(now, 1)
	delay := reservation.DelayFrom(now)
	if delay == 0 {
		return 0, true
	}
	// Refused requests take nothing from the bucket.
	reservation.CancelAt(now)
	return max(1, int(math.Ceil(delay.Seconds()))), false
}

// forgetRefilled drops the principals idle long enough for their bucket to be full again.
func (l *rateLimiter) forgetRefilled(now time.Time) {
	refill := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for principal, bucket := range l.principals {
		if now.Sub(bucket.lastSeen) > refill {
			delete(l.principals, principal)
		}
	}
}

// rateLimited is the refusal of a request over its principal's rate.
func rateLimited(retryAfterSeconds int) *requestProblem {
	return &requestProblem{kind: problemRateLimited, subject: strconv.Itoa(retryAfterSeconds)}
}

// limitRate refuses, with 429 in the vendor's shape, the requests of a principal over its
// rate. It runs after validation, which has verified the principal.
func limitRate(limiter *rateLimiter) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if claims := principalFrom(c.Request().Context()); claims != nil {
				if retryAfter, ok := limiter.allow(string(claims.Kind) + ":" + claims.Subject); !ok {
					return rateLimited(retryAfter)
				}
			}
			return next(c)
		}
	}
}

// withRetryAfter adds the Retry-After header to a vendor's 429 response, whatever the family.
type withRetryAfter struct {
	vendorError
	seconds string
}

func (e withRetryAfter) writeResponse(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Retry-After", e.seconds)
	return e.vendorError.writeResponse(w, r)
}
