// Package egain serves eGain's Customer Manager v3 customer grants: handlers and rules, the
// actor, the error catalogue with its 15 locales, format negotiation and the XML binding.
package egain
