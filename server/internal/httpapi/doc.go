// Package httpapi is the shared request pipeline, knowing no vendor: request id, logging and
// metrics, recovery, deadlines, body limit, kin-openapi validation, media types, rate limits,
// health and docs, and the Problem vocabulary that each vendor's Family renders.
package httpapi
