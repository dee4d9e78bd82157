// Package audit serves the audit trail's read side, GET /audit/v1/events: the events the
// store's writes append (store/audit*.go), as JSON pages or an NDJSON export, to
// principals that are auditors. Its errors are RFC 9457 problem details.
package audit
