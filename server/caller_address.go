package server

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// callerAddress finds the caller's IP address, which the token endpoint's limits count
// by: the peer's, or behind trusted proxies the last X-Forwarded-For entry that is not
// one of them. Other X-Forwarded-For entries are the caller's to write, so they count
// for nothing; Echo's defaults, which trust private networks, are not used.
func callerAddress(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	options := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, prefix := range trusted {
		ipNet := &net.IPNet{IP: prefix.Addr().AsSlice(), Mask: net.CIDRMask(prefix.Bits(), prefix.Addr().BitLen())}
		options = append(options, echo.TrustIPRange(ipNet))
	}
	return echo.ExtractIPFromXFFHeader(options...)
}
