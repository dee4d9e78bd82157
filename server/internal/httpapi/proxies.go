package httpapi

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// What the service believes of the forwarding headers of the load balancers in front.

// CallerAddress finds the caller's IP address, which the token endpoint's limits count
// by: the peer's, or behind trusted proxies the last X-Forwarded-For entry that is not
// one of them. Other X-Forwarded-For entries are the caller's to write, so they count
// for nothing; Echo's defaults, which trust private networks, are not used.
func CallerAddress(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	return echo.ExtractIPFromXFFHeader(trustOnly(trusted)...)
}

// RequestScheme finds the scheme the client used, for the URLs in responses: with trusted
// proxies, X-Forwarded-Proto is believed from them only; without, from peers on loopback
// or private networks (Echo's default), as a scheme misread only breaks the caller's own
// links.
func RequestScheme(trusted []netip.Prefix) echo.SchemeExtractor {
	if len(trusted) == 0 {
		return echo.ExtractSchemeFromHeaders()
	}
	return echo.ExtractSchemeFromHeaders(trustOnly(trusted)...)
}

// trustOnly trusts the given networks and none of Echo's default ones.
func trustOnly(trusted []netip.Prefix) []echo.TrustOption {
	options := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, prefix := range trusted {
		ipNet := &net.IPNet{IP: prefix.Addr().AsSlice(), Mask: net.CIDRMask(prefix.Bits(), prefix.Addr().BitLen())}
		options = append(options, echo.TrustIPRange(ipNet))
	}
	return options
}
