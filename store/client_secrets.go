package store

import (
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Client secrets are kept only as bcrypt hashes. bcrypt reads at most 72 bytes, so longer
// secrets are refused rather than silently truncated.
const (
	minClientSecretLength = 16
	maxClientSecretLength = 72
	clientSecretCost      = bcrypt.DefaultCost
)

// checkClientSecret refuses secrets too short to resist guessing or too long for bcrypt,
// and hashes that bcrypt cannot read.
func checkClientSecret(where string, c FixtureClient) error {
	if c.Secret != nil && c.SecretHash != nil {
		return fmt.Errorf("%s: give secret or secretHash, not both", where)
	}
	if c.Secret != nil && (len(*c.Secret) < minClientSecretLength || len(*c.Secret) > maxClientSecretLength) {
		return fmt.Errorf("%s.secret: must be %d to %d bytes long", where, minClientSecretLength, maxClientSecretLength)
	}
	if c.SecretHash != nil {
		cost, err := bcrypt.Cost([]byte(*c.SecretHash))
		if err != nil {
			return fmt.Errorf("%s.secretHash: not a bcrypt hash", where)
		}
		// Every check must take as long as the decoy's, or answer times would tell which
		// client ids exist.
		if cost != clientSecretCost {
			return fmt.Errorf("%s.secretHash: bcrypt cost %d, want %d", where, cost, clientSecretCost)
		}
	}
	return nil
}

// setClientSecrets stores the hash of each secret given in the file; a client without one
// keeps the hash it has.
func (tx *Tx) setClientSecrets(clients []FixtureClient) error {
	for i, c := range clients {
		hash := c.SecretHash
		if c.Secret != nil {
			hashed, err := bcrypt.GenerateFromPassword([]byte(*c.Secret), clientSecretCost)
			if err != nil {
				return fmt.Errorf("clients[%d].secret: %w", i, err)
			}
			hash = new(string(hashed))
		}
		if hash == nil {
			continue
		}
		if err := tx.db.Model(&Client{}).Where("client_id = ?", c.ClientID).Update("secret_hash", *hash).Error; err != nil {
			return err
		}
	}
	return nil
}

// decoyHash is compared against when a client is unknown or has no secret, so that the
// answer takes as long as for a wrong secret and does not tell which client ids exist.
var decoyHash = sync.OnceValue(func() []byte {
	hash, _ := bcrypt.GenerateFromPassword([]byte("custaccess decoy secret"), clientSecretCost)
	return hash
})

// ClientSecretMatches tells whether secret is the secret of client, which may be nil (an
// unknown client). It takes as long whether or not the client exists and has a secret,
// and whatever the secret's length. Call it outside transactions: bcrypt is slow on purpose.
func ClientSecretMatches(client *Client, secret string) bool {
	hash := decoyHash()
	if client != nil && client.SecretHash != nil {
		hash = []byte(*client.SecretHash)
	}
	// bcrypt reads only the first 72 bytes, so a longer secret would match by its prefix;
	// it is refused, after the comparison all the same, so that its refusal takes as long.
	matches := bcrypt.CompareHashAndPassword(hash, []byte(secret)) == nil
	return matches && len(secret) <= maxClientSecretLength && client != nil && client.SecretHash != nil
}
