package oauth

// Test-only access to the secret check slots, for the tests of package oauth_test.

// Occupy takes a slot without waiting, as a secret check under way does.
func (s *SecretChecks) Occupy() { s.slots <- struct{}{} }

// Release gives back a slot taken by Occupy or by a check.
func (s *SecretChecks) Release() { s.release() }

// InUse is the number of slots taken.
func (s *SecretChecks) InUse() int { return len(s.slots) }
