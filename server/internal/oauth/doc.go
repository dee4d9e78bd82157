// Package oauth serves POST /oauth/token, the client-credentials grant: client
// authentication, its own limits, and RFC 6749's errors.
package oauth
