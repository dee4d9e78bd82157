package httpapi

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// BodyLimit bounds request bodies; a full grant request (76 customers) is under 3 KB.
const BodyLimit = "64K"

// LimitBody refuses a body over BodyLimit. It comes before validation, which reads the
// whole body.
func LimitBody() echo.MiddlewareFunc {
	return middleware.BodyLimit(BodyLimit)
}
