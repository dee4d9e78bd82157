package httpapi

import (
	"embed"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/openapi"
)

//go:embed docsui/index.html docsui/docs.js docsui/dist
var docsFiles embed.FS

// docsPolicy keeps the reference page to this origin: nothing is loaded from, or sent to,
// anywhere else. Swagger UI sets inline styles.
const docsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'"

// RegisterDocs serves the contract (as written, and as JSON) and an interactive reference,
// at the paths listed among operationalEndpoints: no token, no validation, no rate limit.
func RegisterDocs(e *echo.Echo) error {
	spec, err := gen.GetSwagger()
	if err != nil {
		return err
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	ui, err := fs.Sub(docsFiles, "docsui")
	if err != nil {
		return err
	}
	index, err := fs.ReadFile(ui, "index.html")
	if err != nil {
		return err
	}
	e.GET("/openapi.yaml", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", openapi.YAML)
	})
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, specJSON)
	})
	page := func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", docsPolicy)
		return c.HTMLBlob(http.StatusOK, index)
	}
	e.GET("/docs", page)
	e.GET("/docs/", page)
	for route, file := range map[string]string{
		"/docs/docs.js":              "docs.js",
		"/docs/swagger-ui-bundle.js": "dist/swagger-ui-bundle.js",
		"/docs/swagger-ui.css":       "dist/swagger-ui.css",
	} {
		body, err := fs.ReadFile(ui, file)
		if err != nil {
			return err
		}
		contentType := mime.TypeByExtension(path.Ext(file))
		e.GET(route, func(c echo.Context) error {
			c.Response().Header().Set("Content-Security-Policy", docsPolicy)
			return c.Blob(http.StatusOK, contentType, body)
		})
	}
	return nil
}
