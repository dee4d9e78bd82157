package oauth

import (
	"context"
	"runtime"
	"time"

	"github.com/custaccess/custaccess/server/internal/httpapi"
)

// tokenEndpointLimits protect POST /oauth/token, whose callers are not authenticated yet
// and whose secret check (bcrypt) is slow on purpose. They are apart from the APIs' rate
// limit, so that whoever claims a client id cannot spend that client's API budget.
type tokenEndpointLimits struct {
	// perClientAddress counts every token request by the client id it claims and the
	// address it comes from: a client's own requests, and guesses at its secret.
	perClientAddress *httpapi.RateLimiter
	// failuresPerAddress counts failed client authentications by address, whatever the
	// client id (made-up ids included, so that changing the id gains nothing), and refuses
	// an address out of failures before its secret is checked. Wrong secrets of real
	// clients count the same as unknown ids: the limit does not tell which ids exist.
	failuresPerAddress *httpapi.RateLimiter
	secretChecks       *SecretChecks
}

func newTokenEndpointLimits(limit httpapi.RateLimit, checks *SecretChecks) *tokenEndpointLimits {
	if checks == nil {
		checks = NewSecretChecks(runtime.NumCPU(), defaultSecretCheckWait)
	}
	return &tokenEndpointLimits{
		perClientAddress:   httpapi.NewRateLimiter(limit),
		failuresPerAddress: httpapi.NewRateLimiter(limit),
		secretChecks:       checks,
	}
}

// defaultSecretCheckWait is how long a token request waits for a free secret check before
// it is refused: a burst of requests queues briefly, a flood fails fast.
const defaultSecretCheckWait = 500 * time.Millisecond

// SecretChecks bounds the bcrypt comparisons running at once, so that token requests
// cannot take every CPU from the APIs.
type SecretChecks struct {
	slots chan struct{}
	wait  time.Duration
}

func NewSecretChecks(n int, wait time.Duration) *SecretChecks {
	return &SecretChecks{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// acquire takes a slot, waiting at most the slots' wait and the context's deadline; it
// tells whether it got one, which the caller then releases.
func (s *SecretChecks) acquire(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	timer := time.NewTimer(s.wait)
	defer timer.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	return false
}

func (s *SecretChecks) release() { <-s.slots }
