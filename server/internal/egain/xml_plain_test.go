package egain_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"reflect"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// A client's view of eGain's v12 binding, written from VENDORS.md with plain encoding/xml
// struct tags: it shares nothing with the service's schema-driven codec, so a response the
// codec writes wrongly but reads back the same way is caught here.
type (
	plainGrants struct {
		XMLName  xml.Name           `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer grants"`
		GrantsOn *plainCustomerList `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer grantsOn"`
		GrantsTo *plainCustomerList `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer grantsTo"`
	}
	plainCustomerList struct {
		Customers []plainCustomer `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer customer"`
	}
	plainCustomer struct {
		ID    string      `xml:"id,attr"`
		Name  string      `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer customerName"`
		Links []plainLink `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer link"`
	}
	plainLink struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	plainWSError struct {
		XMLName          xml.Name      `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer WSError"`
		Code             string        `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer code"`
		DeveloperMessage string        `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer developerMessage"`
		UserMessage      *string       `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer userMessage"`
		Details          []plainDetail `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer details"`
	}
	plainDetail struct {
		Key   string `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer key"`
		Value string `xml:"http://bindings.egain.com/ws/model/v12/gen/interaction/customer value"`
	}
)

// TestXMLResponsesReadByAPlainClient decodes a list and an error written in XML with the
// plain types above, and compares them with the JSON responses to the same requests.
func TestXMLResponsesReadByAPlainClient(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		seedGrants(t, h)
		token := h.UserToken("viewer")
		in := func(mediaType string, r servertest.Request) []byte {
			r.Headers = map[string]string{"Accept": mediaType, "Accept-Language": "fr-CA", "X-egain-error-message": "yes"}
			rec := h.Do(r)
			if ct := rec.Header().Get("Content-Type"); ct != mediaType {
				t.Fatalf("%s %s: %d in %s", r.Method, r.Path, rec.Code, ct)
			}
			return rec.Body.Bytes()
		}

		list := servertest.Request{Method: http.MethodGet, Path: servertest.GrantsPath("1000"), Token: token}
		var fromJSON gen.CustomerGrants
		if err := json.Unmarshal(in(jsonType, list), &fromJSON); err != nil {
			t.Fatal(err)
		}
		var fromXML plainGrants
		if err := xml.Unmarshal(in(xmlType, list), &fromXML); err != nil {
			t.Fatal(err)
		}
		plain := func(l *plainCustomerList) *gen.GrantedCustomerList {
			if l == nil {
				return nil
			}
			out := &gen.GrantedCustomerList{}
			for _, c := range l.Customers {
				links := []gen.Link{}
				for _, link := range c.Links {
					links = append(links, gen.Link{Rel: link.Rel, Href: link.Href})
				}
				out.Customer = append(out.Customer, gen.GrantedCustomer{Id: c.ID, CustomerName: c.Name, Link: links})
			}
			return out
		}
		if got := (gen.CustomerGrants{GrantsOn: plain(fromXML.GrantsOn), GrantsTo: plain(fromXML.GrantsTo)}); !reflect.DeepEqual(got, fromJSON) || fromJSON.GrantsTo == nil {
			t.Errorf("list: XML read plainly %+v, JSON %+v", got, fromJSON)
		}

		failure := servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("8888", "9999"), Token: h.ClientToken("crm-sync")}
		var errJSON gen.WSError
		if err := json.Unmarshal(in(jsonType, failure), &errJSON); err != nil {
			t.Fatal(err)
		}
		var errXML plainWSError
		if err := xml.Unmarshal(in(xmlType, failure), &errXML); err != nil {
			t.Fatal(err)
		}
		details := []gen.WSErrorDetail{}
		for _, d := range errXML.Details {
			details = append(details, gen.WSErrorDetail{Key: d.Key, Value: d.Value})
		}
		got := gen.WSError{Code: errXML.Code, DeveloperMessage: errXML.DeveloperMessage, UserMessage: errXML.UserMessage, Details: &details}
		if !reflect.DeepEqual(got, errJSON) || errJSON.Code != "404-100" || errJSON.UserMessage == nil || len(details) != 2 {
			t.Errorf("error: XML read plainly %+v, JSON %+v", got, errJSON)
		}
	})
}
