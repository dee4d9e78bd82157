// Package oracle serves Oracle Fusion's self-service roles through the ADF REST framework:
// handlers and rules, the calling user's privileges, query, q, fields, links, and its errors.
package oracle
