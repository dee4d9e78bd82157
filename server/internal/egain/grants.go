package egain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/oapi-codegen/runtime"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// eGain actions a user needs, and the limits on grants.
const (
	actionEditCustomer     = "Edit Customer"
	actionViewAgentConsole = "View Agent Console"
	// maxGrants bounds both the customers one customer has grants on and the customers
	// having grants on one customer.
	maxGrants = 75
)

const customerPath = "/core/customermgr/v3/customer/"

// CustomerManager serves eGain's customer grants.
type CustomerManager struct {
	store *store.Store
}

// CreateCustomerGrants gives the grantees grants on the granted-on customer, all or nothing.
func (g *CustomerManager) CreateCustomerGrants(ctx context.Context, request gen.CreateCustomerGrantsRequestObject) (gen.CreateCustomerGrantsResponseObject, error) {
	body, err := grantsBody(request)
	if err != nil {
		return nil, err
	}
	grantedOnID := customerID(body.GrantsOn.Customer[0].Id)
	granteeIDs := make([]int64, len(body.GrantsTo.Customer))
	for i, c := range body.GrantsTo.Customer {
		granteeIDs[i] = customerID(c.Id)
	}
	err = g.store.Transaction(ctx, func(tx *store.Tx) error {
		actor, err := authorize(ctx, tx, actionEditCustomer)
		if err != nil {
			return err
		}
		if slices.Contains(granteeIDs, grantedOnID) {
			id := formatID(grantedOnID)
			return newEgainError(errGrantOnItself, id).with("customerId", id)
		}
		// One query checks every customer and, on PostgreSQL, locks their rows so that
		// concurrent requests on the same customers cannot pass the limits together.
		ids := append([]int64{grantedOnID}, granteeIDs...)
		customers, departmentalized, err := tx.CustomersAndDepartmentalization(ids, true)
		if err != nil {
			return err
		}
		// Departments first: a user learns nothing of customers outside them, not even
		// which exist; only callers who may see every customer learn which are unknown.
		if err := actor.requireDepartmentsIfOn(departmentalized, ids, customers); err != nil {
			return err
		}
		if err := requireAll(customers, ids, errCustomersNotFound, "customerId"); err != nil {
			return err
		}
		if err := requireIndividuals(customers); err != nil {
			return err
		}
		if departmentalized {
			if err := requireOneDepartment(customers); err != nil {
				return err
			}
		}
		counts, err := tx.CountGrants(grantedOnID, granteeIDs)
		if err != nil {
			return err
		}
		added := slices.DeleteFunc(slices.Clone(granteeIDs), func(id int64) bool { return slices.Contains(counts.Existing, id) })
		if len(added) == 0 {
			return nil
		}
		if err := checkLimits(grantedOnID, added, counts); err != nil {
			return err
		}
		return tx.InsertGrants(grantedOnID, added)
	})
	if failure, ok := asEgainFailure(ctx, err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	location := customerPath + formatID(grantedOnID) + "/grants"
	return gen.CreateCustomerGrants201Response{Headers: gen.CreateCustomerGrants201ResponseHeaders{Location: location}}, nil
}

// ListCustomerGrants lists the grants one customer holds and the grants held on it.
func (g *CustomerManager) ListCustomerGrants(ctx context.Context, request gen.ListCustomerGrantsRequestObject) (gen.ListCustomerGrantsResponseObject, error) {
	id := customerID(request.Id)
	var heldOn, heldBy []store.Customer
	err := g.store.View(ctx, func(tx *store.Tx) error {
		actor, err := authorize(ctx, tx, actionViewAgentConsole)
		if err != nil {
			return err
		}
		customers, departmentalized, err := tx.CustomersAndDepartmentalization([]int64{id}, false)
		if err != nil {
			return err
		}
		if err := actor.requireDepartmentsIfOn(departmentalized, []int64{id}, customers); err != nil {
			return err
		}
		if err := requireAll(customers, []int64{id}, errPathIDsNotFound, "id"); err != nil {
			return err
		}
		heldOn, heldBy, err = tx.CustomerGrantsOf(id)
		if departmentalized {
			// Grants made before departmentalization was turned on may reach customers of
			// other departments: the user sees only those of its own.
			heldOn, heldBy = actor.visible(heldOn), actor.visible(heldBy)
		}
		return err
	})
	if failure, ok := asEgainFailure(ctx, err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	if len(heldOn) == 0 && len(heldBy) == 0 {
		return gen.ListCustomerGrants204Response{}, nil
	}
	grants := gen.CustomerGrants{GrantsOn: grantedCustomerList(heldOn), GrantsTo: grantedCustomerList(heldBy)}
	if !egainPreferencesOf(ctx, nil).xml {
		return gen.ListCustomerGrants200JSONResponse{Body: grants}, nil
	}
	document, err := marshalXML(grants, "CustomerGrants")
	if err != nil {
		return nil, err
	}
	return gen.ListCustomerGrants200ApplicationxmlResponse{Body: bytes.NewReader(document), ContentLength: int64(len(document))}, nil
}

// DeleteCustomerGrant removes the grant customer GrantedcustomerId holds on customer Id.
func (g *CustomerManager) DeleteCustomerGrant(ctx context.Context, request gen.DeleteCustomerGrantRequestObject) (gen.DeleteCustomerGrantResponseObject, error) {
	grantedOnID, granteeID := customerID(request.Id), customerID(request.Grantedcustomerid)
	err := g.store.Transaction(ctx, func(tx *store.Tx) error {
		actor, err := authorize(ctx, tx, actionEditCustomer)
		if err != nil {
			return err
		}
		ids := []int64{grantedOnID, granteeID}
		customers, departmentalized, err := tx.CustomersAndDepartmentalization(ids, false)
		if err != nil {
			return err
		}
		if err := actor.requireDepartmentsIfOn(departmentalized, ids, customers); err != nil {
			return err
		}
		if err := requireAll(customers, ids, errPathIDsNotFound, "id"); err != nil {
			return err
		}
		if err := tx.DeleteGrant(grantedOnID, granteeID); errors.Is(err, store.ErrNotFound) {
			return newEgainError(errGrantNotFound, formatID(granteeID), formatID(grantedOnID)).
				with("id", formatID(grantedOnID)).with("grantedcustomerid", formatID(granteeID))
		} else if err != nil {
			return err
		}
		return nil
	})
	if failure, ok := asEgainFailure(ctx, err); ok {
		return failure, nil
	}
	if err != nil {
		return nil, err
	}
	return gen.DeleteCustomerGrant204Response{}, nil
}

// checkLimits refuses the request when the granted-on customer would have more than
// maxGrants customers with grants on it, or a grantee grants on more than maxGrants customers.
func checkLimits(grantedOnID int64, added []int64, counts store.GrantCounts) error {
	if counts.Holders+int64(len(added)) > maxGrants {
		id := formatID(grantedOnID)
		return newEgainError(errGrantedOnLimit, id, maxGrants, counts.Holders, len(added)).with("customerId", id)
	}
	var full []string
	for _, id := range added {
		if counts.Held[id]+1 > maxGrants {
			full = append(full, formatID(id))
		}
	}
	if len(full) > 0 {
		return newEgainError(errGranteeLimit, full, maxGrants).withEach("customerId", full)
	}
	return nil
}

// requireAll fails with code when any of ids is missing from customers.
func requireAll(customers []store.Customer, ids []int64, code egainErrorID, detailKey string) error {
	var missing []string
	for _, id := range ids {
		if !slices.ContainsFunc(customers, func(c store.Customer) bool { return c.ID == id }) {
			missing = append(missing, formatID(id))
		}
	}
	if len(missing) > 0 {
		return newEgainError(code, missing).withEach(detailKey, missing)
	}
	return nil
}

func requireIndividuals(customers []store.Customer) error {
	var others []string
	for _, c := range customers {
		if c.Type != store.CustomerIndividual {
			others = append(others, formatID(c.ID))
		}
	}
	if len(others) > 0 {
		return newEgainError(errCustomersNotIndividual, others).withEach("customerId", others)
	}
	return nil
}

// requireOneDepartment: with departmentalization on, all customers share one department
// (customers without a department share only with each other).
func requireOneDepartment(customers []store.Customer) error {
	first := customers[0].DepartmentID
	for _, c := range customers[1:] {
		if (first == nil) != (c.DepartmentID == nil) || (first != nil && *first != *c.DepartmentID) {
			ids := make([]string, len(customers))
			for i, c := range customers {
				ids[i] = formatID(c.ID)
			}
			return newEgainError(errDepartmentsDiffer, ids)
		}
	}
	return nil
}

func grantedCustomerList(customers []store.Customer) *gen.GrantedCustomerList {
	if len(customers) == 0 {
		return nil
	}
	list := &gen.GrantedCustomerList{Customer: make([]gen.GrantedCustomer, len(customers))}
	for i, c := range customers {
		id := formatID(c.ID)
		list.Customer[i] = gen.GrantedCustomer{
			Id:           id,
			CustomerName: c.Name,
			Link:         []gen.Link{{Rel: "customer", Href: customerPath + id}},
		}
	}
	return list
}

// customerID parses an id the spec's pattern has already checked.
func customerID(s string) int64 {
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// asEgainFailure turns an expected failure into the operation's error response.
func asEgainFailure(ctx context.Context, err error) (egainFailure, bool) {
	var apiErr *egainError
	if !errors.As(err, &apiErr) {
		return egainFailure{}, false
	}
	return egainFailure{err: apiErr, preferences: egainPreferencesOf(ctx, nil)}, true
}

// grantsBody is the create request's body, sent as JSON or, in eGain's XML binding, as XML.
// Validation has decoded either and checked it against the Grants schema; the value it
// kept is bound, so an XML body is not decoded a second time.
func grantsBody(request gen.CreateCustomerGrantsRequestObject) (*gen.Grants, error) {
	if request.JSONBody != nil {
		return request.JSONBody, nil
	}
	validated, ok := request.Body.(interface{ ValidatedValue() any })
	if !ok {
		return nil, errors.New("create customer grants: no body that validation kept")
	}
	var body gen.Grants
	if err := runtime.BindJSONValue(validated.ValidatedValue(), &body); err != nil {
		return nil, fmt.Errorf("create customer grants: binding the validated XML body: %w", err)
	}
	return &body, nil
}

// New serves the API over s.
func New(s *store.Store) *CustomerManager { return &CustomerManager{store: s} }
