// Package reltio serves Reltio's customer-specific roles and their permissions: handlers,
// the rules of the permission model, who may administer a customer's roles, and its errors.
package reltio
