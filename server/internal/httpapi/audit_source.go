package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/store"
)

// AuditSourceOf is what the audit trail records of a validated request's writes: the
// token's principal (kind, id, issuer, and the client a user acted through), the operation
// and the request id. Validation puts it into the request's context, where the store's
// audit events read it, so that no vendor handler passes it along.
func AuditSourceOf(r *http.Request, operationID string) store.AuditSource {
	source := store.AuditSource{OperationID: operationID, RequestID: r.Header.Get(echo.HeaderXRequestID)}
	if claims := auth.PrincipalFrom(r.Context()); claims != nil {
		source.Actor = store.AuditActor{Kind: string(claims.Kind), ID: claims.Subject, Issuer: claims.Issuer, Client: claims.AuthorizedParty}
	}
	return source
}
