package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// AuditBreakKind says how the chain is broken.
type AuditBreakKind string

const (
	// AuditEdited: an event's content or links no longer hash to what was chained.
	AuditEdited AuditBreakKind = "edited"
	// AuditMissing: an event of the chain is not there (deleted).
	AuditMissing AuditBreakKind = "missing"
	// AuditReordered: an event is intact but sits at another place of the chain.
	AuditReordered AuditBreakKind = "reordered"
)

// AuditBreak is the first broken link of the chain.
type AuditBreak struct {
	Kind AuditBreakKind
	// Seq is the sequence number where the chain breaks.
	Seq    int64
	Detail string
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s (%s)", b.Seq, b.Kind, b.Detail)
}

// AuditVerification is what VerifyAuditChain found.
type AuditVerification struct {
	// From is the checkpoint the walk started after (0 when nothing was pruned).
	From int64
	// Checked counts the events whose links were checked; Last is the last one's seq.
	Checked, Last int64
	// Break is the first broken link; nil when the chain is whole.
	Break *AuditBreak
}

// VerifyAuditChain seals pending events, then walks the chain from its checkpoint: every
// event must hash (with its stored previous hash) to its stored hash, link to the previous
// event's hash, follow it by one seq, and the last must be the head. It reads in batches, so
// memory stays bounded.
func (s *Store) VerifyAuditChain(ctx context.Context) (AuditVerification, error) {
	if _, err := s.SealAuditEvents(ctx); err != nil {
		return AuditVerification{}, err
	}
	head, err := s.auditHeadRecord(ctx)
	if err != nil {
		return AuditVerification{}, err
	}
	result := AuditVerification{From: head.PrunedSeq, Last: head.PrunedSeq}
	expected, prev := head.PrunedSeq+1, head.PrunedHash
	fail := func(kind AuditBreakKind, seq int64, detail string, args ...any) (AuditVerification, error) {
		result.Break = &AuditBreak{Kind: kind, Seq: seq, Detail: fmt.Sprintf(detail, args...)}
		return result, nil
	}
	after := head.PrunedSeq
	for {
		var records []auditEventRecord
		err := s.View(ctx, func(tx *Tx) error {
			return tx.db.Where("seq > ?", after).Order("seq").Limit(auditReadBatch).Find(&records).Error
		})
		if err != nil {
			return result, err
		}
		for _, r := range records {
			if r.Seq != expected {
				return fail(AuditMissing, expected, "the next event present is %d", r.Seq)
			}
			content, err := r.Columns.content()
			if err != nil {
				return fail(AuditEdited, r.Seq, "its content does not parse: %v", err)
			}
			hash, err := r.link(content)
			if err != nil || hash != r.Hash {
				return fail(AuditEdited, r.Seq, "its content does not hash to its stored hash")
			}
			if r.PrevHash != prev {
				// Intact, but not linked to its predecessor: does its predecessor sit
				// elsewhere in the chain?
				var elsewhere []int64
				err := s.View(ctx, func(tx *Tx) error {
					return tx.db.Model(&auditEventRecord{}).Where("hash = ?", r.PrevHash).Pluck("seq", &elsewhere).Error
				})
				if err != nil {
					return result, err
				}
				if len(elsewhere) > 0 || r.PrevHash == head.PrunedHash {
					return fail(AuditReordered, r.Seq, "it follows the event at another place of the chain")
				}
				return fail(AuditEdited, r.Seq, "its previous hash is not the hash of event %d", r.Seq-1)
			}
			prev, expected = r.Hash, expected+1
			result.Checked++
			result.Last = r.Seq
		}
		if len(records) < auditReadBatch {
			break
		}
		after = records[len(records)-1].Seq
	}
	// The head was read before the walk; sealers may have added events since, never removed.
	if result.Last < head.LastSeq {
		return fail(AuditMissing, result.Last+1, "the chain's head is event %d", head.LastSeq)
	}
	if result.Last == head.LastSeq && prev != head.LastHash {
		return fail(AuditEdited, head.LastSeq, "the last event's hash is not the one the chain's head recorded")
	}
	return result, nil
}

// link recomputes the event's hash from its content and its stored previous hash: its
// content must match its stored digest, or, for an event chained before migration 0011
// (no digest), its canonical JSON is what was hashed.
func (r *auditEventRecord) link(content AuditEventContent) (string, error) {
	if r.Columns.ContentDigest == "" {
		canonical, err := canonicalAuditJSON(content)
		if err != nil {
			return "", err
		}
		return auditLink(r.PrevHash, nil, canonical)
	}
	digest, err := auditContentDigest(content)
	if err != nil {
		return "", err
	}
	if hex.EncodeToString(digest) != r.Columns.ContentDigest {
		return "", fmt.Errorf("content does not match its digest")
	}
	return auditLink(r.PrevHash, digest, nil)
}

// PruneAuditEvents removes the events older than before, keeping the chain verifiable: the
// last removed event's seq and hash become the checkpoint verification starts from. Events
// are removed in seq order, up to the first one not older than before (event times follow
// each instance's clock; only seq is ordered). It returns how many it removed.
func (s *Store) PruneAuditEvents(ctx context.Context, before time.Time) (int64, error) {
	if _, err := s.SealAuditEvents(ctx); err != nil {
		return 0, err
	}
	var removed int64
	err := s.Transaction(ctx, func(tx *Tx) error {
		head, err := tx.lockAuditHead()
		if err != nil {
			return err
		}
		var firstKept []int64
		err = tx.db.Model(&auditEventRecord{}).Where("seq > ?", head.PrunedSeq).Where(tx.auditTimeCondition(">=", before)).
			Order("seq").Limit(1).Pluck("seq", &firstKept).Error
		if err != nil {
			return err
		}
		cut := head.LastSeq
		if len(firstKept) > 0 {
			cut = firstKept[0] - 1
		}
		if cut <= head.PrunedSeq {
			return nil
		}
		var last auditEventRecord
		if err := tx.db.Take(&last, "seq = ?", cut).Error; err != nil {
			return fmt.Errorf("audit event %d, the new checkpoint: %w", cut, sentinel(err))
		}
		result := tx.db.Where("seq <= ?", cut).Delete(&auditEventRecord{})
		if result.Error != nil {
			return result.Error
		}
		removed = result.RowsAffected
		return tx.db.Model(&auditChainRecord{}).Where("id = 1").
			Updates(map[string]any{"pruned_seq": cut, "pruned_hash": last.Hash}).Error
	})
	return removed, err
}
